use staged::prelude::*;

#[derive(StoredEnum)]
pub enum Status<T> {
    Active,
    Other(T),
}

fn main() {}
