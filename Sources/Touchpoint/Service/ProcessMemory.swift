#if canImport(Glibc)
import Glibc
#endif

/// How the daemon keeps its resident memory small between polls (issue 6: at most 40 MB with
/// ten mailboxes at rest).
///
/// `mallopt` and `malloc_trim` live in glibc's <malloc.h>, which the Glibc module does not
/// export; they are looked up by name once. On another C library they are absent and every
/// call here does nothing.
enum ProcessMemory {
    /// `M_ARENA_MAX` in <malloc.h>.
    private static let arenaMaxOption: Int32 = -8

    /// glibc gives each allocating thread an arena of its own, up to eight per core, and memory
    /// freed in one is never reused by another: with one thread per mailbox (and a committer per
    /// folder sync) that is one mostly empty arena per mailbox. Two arenas keep the contention
    /// of two cores low and the fragmentation of one. Must run before the worker threads start.
    static func limitMallocArenas() {
        _ = GlibcMalloc.shared.mallopt?(arenaMaxOption, 2)
    }

    /// A sync leaves its batches' memory free but resident (glibc only gives back the top of an
    /// arena, and only past a threshold); after a pass that fetched mail, hand the free pages
    /// back to the kernel. A pass that fetched nothing allocated next to nothing and skips this.
    static func returnFreePages() {
        _ = GlibcMalloc.shared.mallocTrim?(0)
    }
}

/// The two glibc functions, resolved in the process's own symbol table.
private struct GlibcMalloc: Sendable {
    typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    typealias MallocTrimFunction = @convention(c) (Int) -> Int32
    let mallopt: MalloptFunction?
    let mallocTrim: MallocTrimFunction?

    static let shared = GlibcMalloc()

    private init() {
        #if canImport(Glibc)
        let everything = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
        mallopt = dlsym(everything, "mallopt").map { unsafeBitCast($0, to: MalloptFunction.self) }
        mallocTrim = dlsym(everything, "malloc_trim").map { unsafeBitCast($0, to: MallocTrimFunction.self) }
        #else
        mallopt = nil
        mallocTrim = nil
        #endif
    }
}
