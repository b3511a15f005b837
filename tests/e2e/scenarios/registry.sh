#!/usr/bin/env bash
# The registry layer: GSettings keys through the keyfile backend, packaged
# defaults, appv registry get/set/list/reset, sandbox reset --keep-config.
# Run alone: ctest -R e2e_user_registry (and e2e_root_registry, as root).
source "$1/lib.sh"
appv_has_run
echo "== the registry: GSettings keys through the keyfile backend"
mkdir -p "$work/schemas"
cat > "$work/schemas/org.appv.demo.gschema.xml" <<'XML'
<schemalist>
  <schema id="org.appv.demo" path="/org/appv/demo/">
    <key name="greeting" type="s"><default>'schema default'</default></key>
    <key name="count" type="i"><default>1</default></key>
  </schema>
</schemalist>
XML
glib-compile-schemas "$work/schemas"
cat > gsdemo.toml <<TOML
id = "org.appv.gsdemo"
version = "1"
[entry.gsettings]
path = "/usr/bin/gsettings"
[files]
include = ["$work/schemas/gschemas.compiled"]
[env]
set = { GSETTINGS_SCHEMA_DIR = "$work/schemas" }
[registry]
"/org/appv/demo/greeting" = "packaged hello"
"/org/appv/demo/count" = 3
TOML
check "pack gsettings with registry defaults" "$A" pack -q -m gsdemo.toml -o gsdemo.appv
check "the defaults are a file in the package" grep -qx /etc/glib-2.0/settings/defaults <<<"$("$A" ls gsdemo.appv)"
home_before=$(find "$HOME" -path "$HOME/.local/share/appv" -prune -o -path "$HOME/.cache/appv" -prune -o -printf '%p %m %s\n' | sort)
G=(run "${FULL[@]}" gsdemo.appv)
same "the packaged default is read" "'packaged hello'" "$("$A" "${G[@]}" get org.appv.demo greeting)"
check "gsettings set inside the app" "$A" "${G[@]}" set org.appv.demo greeting "'changed in app'"
same "the change persists to the next run" "'changed in app'" "$("$A" "${G[@]}" get org.appv.demo greeting)"
same "appv registry get shows it" "'changed in app'" "$("$A" registry get org.appv.gsdemo /org/appv/demo/greeting)"
check "appv registry set" "$A" registry set org.appv.gsdemo /org/appv/demo/count 7
same "the app reads the value set from outside" "7" "$("$A" "${G[@]}" get org.appv.demo count)"
same "appv registry list" "/org/appv/demo/count 7  (user)|/org/appv/demo/greeting 'changed in app'  (user)" \
  "$("$A" registry list org.appv.gsdemo | tr '\n' '|' | sed 's/|$//')"
check "appv registry reset KEY" "$A" registry reset org.appv.gsdemo /org/appv/demo/greeting
same "the packaged default returns" "'packaged hello'" "$("$A" "${G[@]}" get org.appv.demo greeting)"
status "registry set of a bad key" 64 "$A" registry set org.appv.gsdemo not/a/key 1
status "registry get of an app that never ran" 66 "$A" registry get org.never.ran /a/b
typo_err=$("$A" registry set org.appv.gsdem /org/appv/demo/count 8 2>&1 >/dev/null); typo_status=$?
same "registry set of an id that is neither run nor installed is 66" 66 "$typo_status"
check "  and names the closest id" grep -q "did you mean 'org.appv.gsdemo'" <<<"$typo_err"
check "  and makes no sandbox for it" test ! -e "$HOME/.local/share/appv/sandboxes/org.appv.gsdem"
status "registry reset of such an id is 66 too" 66 "$A" registry reset org.appv.gsdem
same "the host's home (dconf, ~/.config) is untouched" "$home_before" \
  "$(find "$HOME" -path "$HOME/.local/share/appv" -prune -o -path "$HOME/.cache/appv" -prune -o -printf '%p %m %s\n' | sort)"
check "sandbox reset --keep-config" "$A" sandbox reset --keep-config org.appv.gsdemo
same "--keep-config kept the registry" "7" "$("$A" "${G[@]}" get org.appv.demo count)"
"$A" sandbox reset org.appv.gsdemo >/dev/null
same "a full reset drops it" "3" "$("$A" "${G[@]}" get org.appv.demo count)"

finish
