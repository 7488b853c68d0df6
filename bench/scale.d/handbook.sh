# bench/scale.d/handbook.sh: sourced by bench/scale and bench/soak.
#
# scale_handbook CACHE ARTICLES MAPS RESULT: make sure CACHE holds the
# generated handbook (CACHE/handbook.git, a bare repository, and the files
# bench/scale_gen.py writes beside it). When CACHE/version is not
# SCALE_GENERATOR_VERSION, generate it with scale_gen.py | git fast-import
# and write `wall_ms peak_rss_kb status` to RESULT (bench/scale_run.py);
# otherwise leave RESULT alone.
SCALE_GENERATOR_VERSION=2

scale_handbook() {
	local cache=$1 articles=$2 maps=$3 result=$4
	local here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ -f "$cache/version" ] && [ "$(cat "$cache/version")" = "$SCALE_GENERATOR_VERSION" ]; then
		return 0
	fi
	echo "generating the handbook in $cache" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	git init -q --bare -b main "$cache/handbook.git"
	python3 "$here/scale_run.py" "$result" -- bash -c 'set -o pipefail
		python3 "$1" "$2" "$3" "$4" | git -C "$5" fast-import --quiet' _ \
		"$here/scale_gen.py" "$cache" "$articles" "$maps" "$cache/handbook.git"
	echo "$SCALE_GENERATOR_VERSION" >"$cache/version"
}
