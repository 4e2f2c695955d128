// The SMTP module. See ../shared/DESIGN.md §2 for what belongs here.
public enum SMTPModule { public static let name = "SMTP" }
