"""Generate tests/rendition/data/publ_parity_cases.rs from Publ's own local.py.

Run via setup_stub.sh (needs Pillow; Publ's other deps are stubbed).
Cases marked FIX use local_fixed.py, a copy of local.py with the
documented bug fixes applied; for those the original output (or exception)
is recorded in a comment.
"""
import sys
from publ.image import local, local_fixed

CHECKSUM = '8c0a92934b5f5f6972f00f57de154a71'

class Rec:
    def __init__(self, path, w, h, transparent):
        self.file_path, self.width, self.height, self.transparent = path, w, h, transparent
        self.checksum = CHECKSUM

JPG = ('/c/My Photo.jpg', 1000, 750, False)
PNG = ('/c/logo.png', 640, 480, True)
TALL = ('/c/tall.jpg', 480, 1200, False)

# (id, record, output_scale, kwargs, fix?)
CASES = [
    ('nothing', JPG, 1, {}, False),
    ('nothing_2x', JPG, 2, {}, False),
    ('width', JPG, 1, {'width': 320}, False),
    ('width_2x', JPG, 2, {'width': 320}, False),
    ('height', JPG, 1, {'height': 100}, False),
    ('width_height_fit', JPG, 1, {'width': 320, 'height': 100}, False),
    ('max_width_below_width', JPG, 1, {'width': 800, 'max_width': 400}, False),
    ('max_height', JPG, 1, {'max_height': 300}, False),
    ('max_both_tall', TALL, 1, {'max_width': 400, 'max_height': 400}, False),
    ('scale', JPG, 1, {'scale': 3}, False),
    ('scale_min_width', JPG, 1, {'scale': 3, 'scale_min_width': 480}, False),
    ('scale_min_width_2x', JPG, 2, {'scale': 3, 'scale_min_width': 480}, False),
    ('scale_min_height', JPG, 1, {'scale': 4, 'scale_min_height': 300}, False),
    ('float_scale_width', JPG, 1, {'scale': 2.5, 'width': 333.3}, False),
    ('round_half_even', JPG, 1, {'width': 350}, False),
    ('never_upscale_width', JPG, 1, {'width': 2000}, False),
    ('never_upscale_min_width', JPG, 2, {'scale_min_width': 2000}, False),
    ('fill_square', JPG, 1, {'resize': 'fill', 'width': 200, 'height': 200}, False),
    ('fill_square_2x', JPG, 2, {'resize': 'fill', 'width': 200, 'height': 200}, False),
    ('fill_top_left', JPG, 1, {'resize': 'fill', 'width': 300, 'height': 100,
                               'fill_crop_x': 0, 'fill_crop_y': 0}, False),
    ('fill_right_2x', TALL, 2, {'resize': 'fill', 'width': 100, 'height': 300,
                                'fill_crop_x': 1}, False),
    ('fill_feed_example', JPG, 1, {'max_width': 400, 'max_height': 400, 'resize': 'fill',
                                   'fill_crop_x': 0, 'fill_crop_y': 0}, False),
    ('fill_never_upscale', JPG, 1, {'resize': 'fill', 'width': 2000, 'height': 100}, False),
    ('fill_no_size', JPG, 1, {'resize': 'fill'}, False),
    ('stretch', JPG, 1, {'resize': 'stretch', 'width': 300, 'height': 100}, False),
    ('fix_stretch_width_2x_no_upscale', JPG, 2, {'resize': 'stretch', 'width': 300}, True),
    ('stretch_scale_min', JPG, 1, {'resize': 'stretch', 'scale': 4, 'scale_min_height': 400}, False),
    ('crop_string', JPG, 1, {'crop': '10,20,300,200'}, False),
    ('crop_tuple_width', JPG, 1, {'crop': (10, 20, 300, 200), 'width': 150}, False),
    ('crop_fill_2x', JPG, 2, {'crop': '10,20,300,200', 'resize': 'fill', 'width': 100,
                              'height': 100}, False),
    ('filter_bicubic', JPG, 1, {'width': 320, 'scale_filter': 'BICUBIC'}, False),
    ('filter_lanczos_explicit', JPG, 1, {'width': 320, 'scale_filter': 'lanczos'}, False),
    ('filter_box', JPG, 1, {'width': 320, 'scale_filter': 'Box'}, False),
    ('filter_without_resize', JPG, 1, {'scale_filter': 'nearest'}, False),
    ('quality_jpg', JPG, 1, {'width': 320, 'quality': 80}, False),
    ('quality_png_ignored', JPG, 1, {'format': 'png', 'quality': 80}, False),
    ('webp_lossless', JPG, 1, {'format': 'webp', 'lossless': True, 'quality': 50}, False),
    ('webp_quality', JPG, 1, {'format': 'webp', 'quality': 50}, False),
    ('gif_quantize', JPG, 1, {'format': 'gif', 'quantize': 16}, False),
    ('png_quantize_background', PNG, 1, {'quantize': 64, 'background': 'white',
                                         'width': 320}, False),
    ('bg_tuple_to_jpg', PNG, 1, {'format': 'jpg', 'background': (0, 127, 35)}, False),
    ('transparent_to_jpg', PNG, 1, {'format': 'jpg'}, False),
    ('bg_hex', JPG, 2, {'background': '#ff7733', 'width': 100}, False),
    ('webcomic', JPG, 1, {'scale': 3, 'scale_min_width': 480, 'width': 960, 'format': 'jpg',
                          'background': 'white', 'quality': 35}, False),
    ('empty_slug', ('/c/---.png', 640, 480, False), 1, {'width': 64}, False),
    ('fix_fill_scale_min_width', JPG, 1, {'resize': 'fill', 'scale': 4,
                                          'scale_min_width': 400, 'height': 100}, True),
    ('fix_stretch_max_height', JPG, 1, {'resize': 'stretch', 'max_height': 200}, True),
    ('stretch_wide_target', JPG, 1, {'resize': 'stretch', 'width': 2000, 'height': 300}, False),
    ('fix_stretch_min_width_no_upscale', JPG, 1, {'resize': 'stretch', 'scale_min_width': 1200}, True),
    ('fix_fill_crop_out_of_range', JPG, 1, {'resize': 'fill', 'width': 100, 'height': 100,
                                            'fill_crop_x': 1.5, 'fill_crop_y': -1}, True),
    ('fix_upper_ext_quality', ('/c/IMG_0001.JPG', 1000, 750, False), 1,
     {'width': 320, 'quality': 80}, True),
    ('fix_upper_png_quantize', ('/c/Logo.PNG', 640, 480, True), 1,
     {'background': 'black', 'quantize': 8}, True),
]


def run(module, rec, scale, kwargs):
    img = module.LocalImage(Rec(*rec), [])
    try:
        path, size, _ = img._get_rendition(scale, **kwargs)
        return path.split('/', 1)[1], size
    except Exception as e:  # noqa
        return repr(e), None


def rust_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def rust_args(kw):
    parts = []
    for k, v in kw.items():
        if k == 'crop':
            if isinstance(v, str):
                parts.append(f'crop: Some(Crop::parse({rust_str(v)}).unwrap())')
            else:
                parts.append(f'crop: Some(Crop::from_values(&{list(v)}).unwrap())')
        elif k == 'background':
            if isinstance(v, str):
                parts.append(f'background: Some(Background::from_spec({rust_str(v)}).unwrap())')
            else:
                parts.append(f'background: Some(Background::from_tuple(&{list(v)}).unwrap())')
        elif k in ('resize', 'scale_filter'):
            parts.append(f'{k}: Some({rust_str(v)}.parse().unwrap())')
        elif k == 'format':
            parts.append(f'format: Some({rust_str(v)}.into())')
        elif k in ('quality', 'quantize'):
            parts.append(f'{k}: Some({v})')
        elif k == 'lossless':
            parts.append(f'lossless: Some({str(v).lower()})')
        else:
            parts.append(f'{k}: Some({float(v)!r})')
    return 'RenditionArgs { ' + ''.join(p + ', ' for p in parts) + '..Default::default() }'


out = ['// @generated by tests/rendition/tools/gen_parity.py from Publ 0.8.19 local.py.',
       '// Do not edit by hand.', '',
       'use super::*;', '',
       'pub fn cases() -> Vec<Case> {', '    vec![']
for cid, rec, scale, kw, fix in CASES:
    orig = run(local, rec, scale, kw)
    exp = run(local_fixed, rec, scale, kw) if fix else orig
    assert exp[1] is not None, (cid, exp)
    if not fix:
        assert run(local_fixed, rec, scale, kw) == orig, cid
    path, file_w, file_h, transparent = rec
    out.append('        Case {')
    out.append(f'            id: {rust_str(cid)},')
    out.append(f'            file_name: {rust_str(path.rsplit("/", 1)[1])},')
    out.append(f'            source: ({file_w}, {file_h}, {str(transparent).lower()}),')
    out.append(f'            output_scale: {float(scale)!r},')
    out.append(f'            args: {rust_args(kw)},')
    out.append(f'            size: ({exp[1][0]}, {exp[1][1]}),')
    out.append(f'            rel_path: {rust_str(exp[0])},')
    if fix:
        out.append(f'            // Publ itself: {orig[0]} {orig[1]}')
    out.append('        },')
out += ['    ]', '}', '']
sys.stdout.write('\n'.join(out))
