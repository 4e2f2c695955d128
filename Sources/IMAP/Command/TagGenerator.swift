/// Tags unique within one connection: `A0001`, `A0002`, … (wider after 9999, never reused).
struct TagGenerator {
    private var next: UInt64 = 1

    mutating func make() -> String {
        defer { next += 1 }
        let digits = String(next)
        return "A" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
