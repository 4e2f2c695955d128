# Shared by deploy/fuzz/*: the fuzzed modules' own dependencies, built with the same
# instrumentation into $work/deps (a module directory for -I and an object to link).
# shellcheck shell=sh

# build_dependency WORK NAME: compiles Sources/NAME into WORK/deps when a source is newer;
# prints the swiftc arguments that make `import NAME` resolve and link.
build_dependency() {
    deps="$1/deps"
    module="$deps/$2.swiftmodule"
    object="$deps/$2.o"
    mkdir -p "$deps"
    newest="$(ls -t "$root"/Sources/"$2"/*.swift | head -1)"
    if [ ! -f "$object" ] || [ "$newest" -nt "$object" ]; then
        echo "building $object" >&2
        "$swiftc" -sanitize=fuzzer,address -parse-as-library -O -g -wmo -module-name "$2" -emit-module \
            -emit-module-path "$module" -c "$root"/Sources/"$2"/*.swift -o "$object"
    fi
    printf '%s\n' "-I" "$deps" "$object"
}
