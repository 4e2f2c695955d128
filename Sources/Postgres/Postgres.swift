// The Postgres module. See ../shared/DESIGN.md §2 for what belongs here.
public enum PostgresModule { public static let name = "Postgres" }
