use staged::prelude::*;

#[derive(StoredEnum)]
pub enum Status {
    #[stored(name = "on")]
    Active,
    #[stored(name = "on")]
    Enabled,
    #[stored(label = "off")]
    Off,
}

fn main() {}
