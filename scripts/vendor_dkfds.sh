#!/bin/sh
# Vendor Det Fælles Designsystem (npm package dkfds, 11.x) under static/vendor/dkfds/.
# Run by hand (`make vendor-dkfds`) when upgrading; `make run` never touches the network.
# Uses the borger.dk theme and exposes its three primary colours as CSS custom properties
# (--fds-primary, --fds-primary-dark, --fds-primary-darker) so a municipality can set its own
# colours at run time (static/css/samskab.css and /tema.css); the default values stay DKFDS's.
set -eu
VERSION="${DKFDS_VERSION:-11}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/static/vendor/dkfds"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "dkfds@$VERSION" >/dev/null && tar xzf dkfds-*.tgz)
SRC="$TMP/package/dist"
PKG_VERSION="$(node -p "require('$TMP/package/package.json').version")"
rm -rf "$DEST"
mkdir -p "$DEST/css" "$DEST/js" "$DEST/fonts/IBMPlexSans/complete" "$DEST/img"
# Colours of the borger.dk theme -> custom properties with the same default.
sed -e 's/#44831[Ee]/var(--fds-primary, #44831E)/g' \
    -e 's/#3[Cc]5[Cc]22/var(--fds-primary-dark, #3C5C22)/g' \
    -e 's/#233614/var(--fds-primary-darker, #233614)/g' \
    "$SRC/css/dkfds-borgerdk.min.css" > "$DEST/css/dkfds-borgerdk.min.css"
cp "$SRC/js/dkfds.min.js" "$DEST/js/"
for kind in woff woff2; do
  mkdir -p "$DEST/fonts/IBMPlexSans/complete/$kind"
  cp "$SRC/fonts/IBMPlexSans/complete/$kind"/*.woff* "$SRC/fonts/IBMPlexSans/complete/$kind/license.txt" \
     "$DEST/fonts/IBMPlexSans/complete/$kind/"
done
cp -r "$SRC/img/svg-icons" "$SRC/img/all-svg-icons.svg" "$SRC/img/logo-borgerdk.svg" "$SRC/img/logo-placeholder.png" "$SRC/img/logo-header-placeholder.png" "$DEST/img/"
cp "$SRC/LICENSE.md" "$DEST/LICENSE.md"
cp "$SRC/fonts/IBMPlexSans/complete/woff2/license.txt" "$DEST/LICENSE-fonts-OFL.txt"
cat > "$DEST/README.md" <<NOTE
# Det Fælles Designsystem (DKFDS) $PKG_VERSION, vendored

From the npm package \`dkfds@$PKG_VERSION\` (https://github.com/detfaellesdesignsystem/dkfds-components),
copied by \`make vendor-dkfds\` (scripts/vendor_dkfds.sh). Do not edit by hand.

- CSS, JS: MIT (LICENSE.md). The borger.dk theme's primary colours are rewritten to
  \`var(--fds-primary, …)\`, \`var(--fds-primary-dark, …)\`, \`var(--fds-primary-darker, …)\`.
- IBM Plex Sans (fonts/): SIL Open Font License 1.1 (LICENSE-fonts-OFL.txt).
- Icons (img/svg-icons, img/all-svg-icons.svg): Apache License 2.0, see LICENSE.md
  (https://www.apache.org/licenses/LICENSE-2.0.txt).
NOTE
echo "dkfds $PKG_VERSION vendored into $DEST"
