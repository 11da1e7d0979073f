fn main() {
    println!("berth");
}
