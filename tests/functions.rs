use quarry::data::catalog::Catalog;
use quarry::kql::{run, RunOptions};

#[test]
fn probe() {
    let c = Catalog::new();
    for q in std::env::var("Q").unwrap().split(";;") {
        match run(&c, q, &RunOptions::default()) {
            Ok(f) => println!("{q}\n{f:?}"),
            Err(e) => println!("{q}\nERR {e:?}"),
        }
    }
}
