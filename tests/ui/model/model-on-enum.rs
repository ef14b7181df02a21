use staged::prelude::*;

#[versioned_schema(version = "1.0.0")]
pub mod v1 {
    #[model]
    pub enum Priority {
        Low,
        High,
    }
}

fn main() {
    let _ = [v1::Priority::Low, v1::Priority::High];
}
