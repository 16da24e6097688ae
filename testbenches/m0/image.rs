//! A program image for the soft core: a flat memory image loaded at address 0 (vector table first).

/// Flat image from address 0: word 0 is the initial SP, word 1 the reset vector (bit 0 set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Image {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Image {
        Image { name: name.into(), bytes }
    }

    /// The little-endian word at `addr` (0 past the end).
    pub fn word(&self, addr: u32) -> u32 {
        let a = addr as usize;
        (0..4).fold(0, |v, i| v | (*self.bytes.get(a + i).unwrap_or(&0) as u32) << (8 * i))
    }

    /// Checks the vector table looks like one, so a bad image fails with its name, not a lockup.
    pub fn check(&self) -> Result<(), String> {
        if self.bytes.len() < 8 {
            return Err(format!("image `{}` is {} bytes: too short for a vector table", self.name, self.bytes.len()));
        }
        let (sp, reset) = (self.word(0), self.word(4));
        if sp & 3 != 0 {
            return Err(format!("image `{}`: initial SP {sp:#x} is not word aligned", self.name));
        }
        if reset & 1 == 0 {
            return Err(format!("image `{}`: reset vector {reset:#x} has bit 0 clear (not Thumb)", self.name));
        }
        Ok(())
    }
}
