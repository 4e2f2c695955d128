// The MIME module. See ../shared/DESIGN.md §2 for what belongs here.
public enum MIMEModule { public static let name = "MIME" }
