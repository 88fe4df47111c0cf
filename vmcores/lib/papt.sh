# A private apt configuration for Debian suites newer than the host's
# (trixie-backports, sid).  Nothing is installed on the host: packages are only
# downloaded into the cache.  The mirror is taken from the host's own apt
# sources at run time.
. "$(dirname "${BASH_SOURCE[0]}")/cache.sh"

host_mirror() {
	local uri
	uri=$(awk '/^URIs:/ { print $2 }' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v -- '-security' | head -n1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null)
	[ -n "$uri" ] || die "cannot find the Debian mirror in the host's apt sources"
	echo "$uri"
}

PAPT_DIR=$MEMSECT_CACHE/apt
papt_opts() {
	echo -o Dir::State::Lists="$PAPT_DIR/lists" \
		-o Dir::Etc::SourceList="$PAPT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::Cache="$PAPT_DIR/cache" \
		-o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::status=/dev/null \
		-o APT::Architecture=amd64 -o Debug::NoLocking=1
}

# papt_update: refresh the private package lists (at most once an hour).
papt_update() {
	local m
	m=$(host_mirror)
	mkdir -p "$PAPT_DIR/lists/partial" "$PAPT_DIR/cache/archives/partial"
	local kr=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$PAPT_DIR/sources.list.new" <<EOS
deb [signed-by=$kr] $m trixie-backports main
deb [signed-by=$kr] $m trixie main
deb [signed-by=$kr] $m sid main
EOS
	if cmp -s "$PAPT_DIR/sources.list.new" "$PAPT_DIR/sources.list" &&
	   [ -n "$(find "$PAPT_DIR/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null)" ]; then
		rm -f "$PAPT_DIR/sources.list.new"
		return 0
	fi
	mv "$PAPT_DIR/sources.list.new" "$PAPT_DIR/sources.list"
	# shellcheck disable=SC2046
	apt-get $(papt_opts) -qq update || die "private apt update failed"
}

# papt_download PKG DIR: download PKG's newest .deb into DIR, print its path.
papt_download() {
	local pkg=$1 dir=$2
	papt_update
	mkdir -p "$dir"
	# shellcheck disable=SC2046
	(cd "$dir" && apt-get $(papt_opts) -qq download "$pkg") >&2 ||
		die "cannot download $pkg"
	ls -t "$dir"/"${pkg}"_*.deb | head -n1
}

# papt_version PKG: candidate version of PKG in the private suites.
papt_version() {
	papt_update
	# shellcheck disable=SC2046
	apt-cache $(papt_opts) policy "$1" | awk '/Candidate:/ { print $2 }'
}
