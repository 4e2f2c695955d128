// The IMAP module. See ../shared/DESIGN.md §2 for what belongs here.
public enum IMAPModule { public static let name = "IMAP" }
