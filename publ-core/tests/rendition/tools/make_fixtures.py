"""Make the tiny fixtures in tests/rendition/fixtures with Pillow (run from that folder)."""
import PIL.Image as I

# Stored 40x20: left half red, right half blue; EXIF orientation 6 means
# "rotate 90 degrees clockwise to display", so Publ sees 20x40, red on top.
im = I.new('RGB', (40, 20), (255, 0, 0))
im.paste((0, 0, 255), (20, 0, 40, 20))
exif = I.Exif()
exif[0x0112] = 6
im.save('exif6.jpg', quality=95, exif=exif)

# Same picture, orientation 8 (rotate 90 counter-clockwise): blue on top.
exif[0x0112] = 8
im.save('exif8.jpg', quality=95, exif=exif)

# RGBA: left half opaque red, right half fully transparent but green.
im = I.new('RGBA', (32, 32), (255, 0, 0, 255))
im.paste((0, 255, 0, 0), (16, 0, 32, 32))
im.save('alpha.png')

# Paletted PNG without transparency (Publ still calls it "transparent").
im = I.new('RGB', (24, 16), (10, 20, 30)).convert('P')
im.save('palette.png')

# GIF.
im = I.new('RGB', (16, 16), (200, 100, 50))
im.paste((0, 0, 0), (0, 0, 8, 16))
im.save('two.gif')

# Opaque RGB PNG, 64x48 gradient with many colours.
im = I.new('RGB', (64, 48))
im.putdata([(x * 4, y * 5, (x + y) * 2) for y in range(48) for x in range(64)])
im.save('gradient.png')
im.save('gradient.jpg', quality=90)
