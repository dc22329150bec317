fn main() { println!("{}", fixture_util::answer()); }
