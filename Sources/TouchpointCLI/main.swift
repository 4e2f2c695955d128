import Foundation
import Touchpoint

// Stdout goes to pipes and files as often as to terminals: write whole lines, never buffer.
let status = TouchpointCommandLine().run(Array(CommandLine.arguments.dropFirst()), io: .process)
exit(status)
