// The CRM module. See ../shared/DESIGN.md §2 for what belongs here.
public enum CRMModule { public static let name = "CRM" }
