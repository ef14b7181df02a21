use staged::prelude::*;

#[derive(StoredEnum)]
pub enum Never {}

fn main() {}
