/// SQL whose interpolations are bind parameters, never text:
///
///     let query: PostgresQuery = "SELECT id FROM contacts WHERE name = \(name) AND id > \(minimum)"
///
/// becomes `… WHERE name = $1 AND id > $2` with two parameters, so injection is impossible
/// by construction. `\(unescaped:)` splices trusted SQL written in code (an identifier, a
/// fixed fragment); it must never carry data.
public struct PostgresQuery: ExpressibleByStringInterpolation, Sendable, Equatable {
    public private(set) var sql: String
    public private(set) var binds: [PostgresBind]

    public init(stringLiteral value: String) {
        sql = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        binds = stringInterpolation.binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql: String
        var binds: [PostgresBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        /// nil becomes SQL NULL. (An explicit Optional overload keeps the compiler from
        /// warning about optionals in interpolations.)
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        /// Bytes travel as `bytea` in binary format.
        public mutating func appendInterpolation(_ bytes: [UInt8]) {
            appendInterpolation(PostgresBytes(bytes))
        }

        public mutating func appendInterpolation(_ bytes: [UInt8]?) {
            appendInterpolation(bytes.map(PostgresBytes.init))
        }

        /// Trusted SQL from code (identifiers, keywords). Never pass data here.
        public mutating func appendInterpolation(unescaped trustedSQL: String) {
            sql += trustedSQL
        }
    }
}
