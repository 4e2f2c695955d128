// The Curl module. See ../shared/DESIGN.md §2 for what belongs here.
public enum CurlModule { public static let name = "Curl" }
