// The Touchpoint module. See ../shared/DESIGN.md §2 for what belongs here.
public enum TouchpointModule { public static let name = "Touchpoint" }
