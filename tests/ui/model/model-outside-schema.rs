use staged::prelude::*;

#[model]
pub struct Reminder {
    #[attribute(unique)]
    pub uid: String,
    pub title: String,
}

fn main() {
    let reminder = Reminder {
        uid: String::new(),
        title: String::new(),
    };
    let _ = (reminder.uid, reminder.title);
}
