/// A small command-line parser: `--flag`, `--option value`, `--option=value`, `--` ending options,
/// positionals in order. Every option a command accepts is declared, so a typo is a usage error.
public struct Arguments {
    public struct Spec: Sendable {
        public var flags: Set<String>
        public var options: Set<String>
        public init(flags: Set<String> = [], options: Set<String> = []) {
            self.flags = flags
            self.options = options
        }
    }

    public private(set) var flags: Set<String> = []
    public private(set) var options: [String: [String]] = [:]
    public private(set) var positionals: [String] = []

    public init(_ arguments: [String], spec: Spec) throws(CommandFailure) {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else { throw .usage("\(name) takes no value") }
                flags.insert(name)
            } else if spec.options.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw .usage("\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                options[name, default: []].append(value)
            } else {
                let known = (spec.flags.union(spec.options)).sorted().joined(separator: " ")
                throw .usage("unknown option \(name)" + (known.isEmpty ? "" : " (this command accepts: \(known))"))
            }
        }
    }

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    public func value(_ option: String) -> String? { options[option]?.last }
    public func values(_ option: String) -> [String] { options[option] ?? [] }
}
