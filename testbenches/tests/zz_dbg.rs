#[test]
fn dbg() {
    let seed = u64::from_str_radix(&std::env::var("S").unwrap(), 16).unwrap();
    let img = pluton_testbenches::m0::random::suite(seed, 100);
    let _ = pluton_testbenches::m0::iss_run::run_iss(&img, 200);
}
