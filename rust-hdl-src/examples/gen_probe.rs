fn main() {
    for (p, t) in pluton_hdl::gen::generate_all() {
        std::fs::write(format!("/tmp/{}", p.replace('/', "_")), t).unwrap();
    }
}
