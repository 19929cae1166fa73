// TEMP STUB (integrator)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishStatus {
    Draft = 0,
    Hidden = 1,
    Published = 2,
    Scheduled = 3,
    Gone = 4,
    Illegal = 5,
    Teapot = 6,
    Attachment = 7,
}
impl std::str::FromStr for PublishStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s.to_uppercase().as_str() {
            "DRAFT" => Self::Draft,
            "HIDDEN" | "UNLISTED" => Self::Hidden,
            "PUBLISHED" => Self::Published,
            "SCHEDULED" => Self::Scheduled,
            "GONE" | "DELETED" => Self::Gone,
            "ILLEGAL" | "DMCA" | "BURNT" | "BURNED" => Self::Illegal,
            "TEAPOT" => Self::Teapot,
            "ATTACHMENT" | "ATTACH" => Self::Attachment,
            _ => return Err(()),
        })
    }
}
impl PublishStatus {
    pub fn as_i64(self) -> i64 {
        self as i64
    }
    pub fn from_i64(v: i64) -> Option<Self> {
        [
            Self::Draft,
            Self::Hidden,
            Self::Published,
            Self::Scheduled,
            Self::Gone,
            Self::Illegal,
            Self::Teapot,
            Self::Attachment,
        ]
        .get(usize::try_from(v).ok()?)
        .copied()
    }
    pub fn is_visible(self) -> bool {
        matches!(
            self,
            Self::Hidden | Self::Published | Self::Scheduled | Self::Attachment
        )
    }
}
