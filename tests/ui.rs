//! Compile-fail tests: each mistake a user can make in a schema is one clear
//! compile error at the offending tokens. Cases live in `tests/ui/<category>/`;
//! refresh the `.stderr` files with `TRYBUILD=overwrite cargo test --test ui`
//! and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
    // Overrides the glob for this one file. Having a `pass` case also makes
    // trybuild build instead of check, which the out-of-order plan case needs:
    // its const assertion is evaluated only when the code is monomorphized.
    t.pass("tests/ui/plan/schemas-in-order.rs");
}
