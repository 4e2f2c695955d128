import StackTestSupport

/// Each test's own throwaway database (StackTestSupport).
typealias TestDatabase = ScratchDatabase
