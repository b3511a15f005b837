#!/usr/bin/env bash
# OpenJDK 17 (the JRE) with a small program of its own, packed by tracing one run of
# it, with a manifest naming the program the entry point and including its classes, as
# a packager ships a Java application. On the foreign host tanaka (LANG=C.UTF-8) runs
# it: NumberFormat for Locale.GERMANY prints 1.234,5, non-ASCII text prints intact, and
# the JVM names the host's time zone.
# Run alone: tests/apps/run-app java build/launcher/appv .
source "$1/lib.sh"
source "$1/hosts-lib.sh"
source "$1/apps-lib.sh"
echo "== java on $suite"
needs java javac
# The program's classes where an application installs them, in /opt (made for the
# pack, removed after it): appv shows no package file below /tmp, which is the
# host's (merged), and a package is not the place for temporary files anyway.
classes=$(mktemp -d /opt/appv-apps-hello.XXXXXX)
chmod 755 "$classes"
trap 'rm -rf "$classes"' EXIT
cat >"$classes/Hello.java" <<'JAVA'
import java.text.NumberFormat;
import java.util.Locale;

public class Hello {
  public static void main(String[] args) {
    System.out.println(NumberFormat.getInstance(Locale.GERMANY).format(1234.5));
    System.out.println(String.format(Locale.GERMANY, "%,.2f", 1234567.891));
    System.out.println("caf\u00e9 \u00c4rger \u65e5\u672c");
    System.out.println(java.time.ZoneId.systemDefault());
  }
}
JAVA
javac -d "$classes" "$classes/Hello.java" || { bad "javac failed"; apps_finish; }
native_app="/usr/bin/java -cp $classes Hello"
cat >java.toml <<TOML
id = "org.openjdk.hello"
name = "Hello on OpenJDK"
version = "$(dpkg-query -W -f '${Version}' openjdk-17-jre-headless)"
[entry.hello]
path = "/usr/bin/java"
args = ["-cp", "$classes", "Hello"]
[files]
include = ["$classes/Hello.class"]
TOML
script="app"
expected='1.234,5
1.234.567,89
café Ärger 日本
Asia/Tokyo'
same "control: natively, in Tokyo" "$expected" "$(app_env='export LANG=C.UTF-8 TZ=Asia/Tokyo' native "$script")"
pack_timed "trace of one run, manifest for the entry and the classes" java.appv -m java.toml --trace -- $native_app
for view in "${VIEWS[@]}"; do
  same "$suite, as tanaka, $view view, LANG=C.UTF-8: German numbers, non-ASCII text, the host's time zone" "$expected" \
    "$(on_host tanaka "$view" --lang C.UTF-8 "$pkgs/java.appv" "$script")"
done
record timed "the program (JVM start)"
start_times "$script"
apps_finish
