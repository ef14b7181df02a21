use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub fn reminder() -> String {
        String::new()
    }
}

fn main() {
    let _ = v1::reminder();
}
