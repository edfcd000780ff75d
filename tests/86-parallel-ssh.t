#!/usr/bin/env bash
# The GNU parallel recipe across machines (doc/recipes.md, batch on many
# hosts), for real: two network namespaces made here, each with its own
# sshd (Debian's openssh-server) reached over a veth pair, stand in for
# two hosts; the recipe runs with --sshlogin to both and every result file
# must come back intact. Nothing leaves the machine: the namespaces reach
# only the host, where llm-mock listens. Everything made here is removed
# on exit. Needs root, ip netns, sshd, ssh, rsync and GNU parallel.
source "$(dirname "$0")/lib.sh"
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root (ip netns, sshd)"
for c in ip parallel rsync ssh ssh-keygen; do
	command -v "$c" >/dev/null 2>&1 || skip_all "$c is not installed"
done
[ -x /usr/sbin/sshd ] || skip_all "sshd is not installed (openssh-server)"
NS=lp15-$$
ip netns add "$NS-a" 2>/dev/null || skip_all "ip netns is not available here"
ip netns del "$NS-a"

# two /30 subnets of 10.253.0.0/16, one per host
r=$((RANDOM % 60 * 4))
H1=10.253.$r.1 A1=10.253.$r.2 H2=10.253.$((r + 1)).1 A2=10.253.$((r + 1)).2
made=""
cleanup() {
	local p
	for p in $(cat "$T"/ssh/*.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
	for n in $made; do
		ip link del "v$$$n" 2>/dev/null
		ip netns del "$NS-$n" 2>/dev/null
	done
}
trap 'cleanup; for p in $_pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

mkdir -p "$T/ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/id"
cp "$T/ssh/id.pub" "$T/ssh/authorized_keys"
host() { # host NAME HOSTIP NSIP: a namespace with a veth to the host and sshd
	ip netns add "$NS-$1" || return 1
	made="$made $1"
	ip link add "v$$$1" type veth peer name eth0 netns "$NS-$1" || return 1
	ip addr add "$2/30" dev "v$$$1" && ip link set "v$$$1" up &&
	ip -n "$NS-$1" link set lo up && ip -n "$NS-$1" link set eth0 up &&
	ip -n "$NS-$1" addr add "$3/30" dev eth0 &&
	ip -n "$NS-$1" route add default via "$2" || return 1
	cat >"$T/ssh/sshd-$1.conf" <<-CONF
	ListenAddress $3
	HostKey $T/ssh/hostkey
	AuthorizedKeysFile $T/ssh/authorized_keys
	PidFile $T/ssh/sshd-$1.pid
	StrictModes no
	UsePAM no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	PermitRootLogin prohibit-password
	CONF
	ip netns exec "$NS-$1" /usr/sbin/sshd -f "$T/ssh/sshd-$1.conf" -E "$T/ssh/sshd-$1.log"
}
if ! host a "$H1" "$A1" || ! host b "$H2" "$A2"; then
	fail "two namespaces with sshd set up" "$(cat "$T"/ssh/*.log 2>/dev/null)"
	done_testing
fi
SSHCMD="ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -i $T/ssh/id"
ok=0
for i in $(seq 50); do
	$SSHCMD "root@$A1" true 2>/dev/null && $SSHCMD "root@$A2" true 2>/dev/null && { ok=1; break; }
	sleep 0.1
done
is "$ok" 1 "ssh reaches both namespaces"
is "$($SSHCMD "root@$A1" 'ip -br addr show eth0' | awk '{ print $3 }')" "$A1/30" \
    "the first host is the namespace (its own address)"

# llm-mock on the host, reachable from both namespaces over their veths
start_mock --echo --listen "$H1:0"
export OPENAI_BASE_URL=$MOCK_URL/v1 PATH=$BIN:$PATH
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY

# the recipe as doc/recipes.md has it, its hosts replaced by the two
# namespaces (one job slot each, so both work), the ssh command given,
# the tools' PATH and the mock's URL passed along, and the remote work
# in a directory of its own (the file system is shared: the results must
# come back by rsync, as from another machine)
awk '$0 == "<!-- recipe: batch-parallel -->" { want = 1; next }
	want && /^```sh$/ { inside = 1; next }
	inside && /^```$/ { exit }
	inside { print }' "$TOP/doc/recipes.md" >"$T/recipe.sh"
grep -q -- '--sshlogin host1,host2' "$T/recipe.sh"; ok $? "the recipe is in doc/recipes.md"
sed -i "s|--sshlogin host1,host2|--ssh '$SSHCMD' --sshlogin 1/root@$A1,1/root@$A2 --workdir $T/remote --env PATH --env OPENAI_BASE_URL --joblog $T/joblog|" "$T/recipe.sh"
mkdir -p "$T/batch" "$T/remote" "$T/home/.parallel"; touch "$T/home/.parallel/will-cite"
for i in $(seq 8); do echo "prompt number $i, with \"quotes\" and it's fine"; done >"$T/batch/prompts.txt"
(cd "$T/batch" && HOME=$T/home timeout 120 bash -e "$T/recipe.sh") >"$T/out" 2>"$T/err"
st=$?; is "$st" 0 "the recipe runs on both hosts"; [ "$st" = 0 ] || diag "$(tail -n 5 "$T/err")" "$(cat "$T/recipe.sh")"
bad=0
for i in $(seq 8); do
	want="prompt number $i, with \"quotes\" and it's fine"
	[ "$(cat "$T/batch/out/$i.txt" 2>/dev/null)" = "$want" ] &&
	    [ "$(tail -c 1 "$T/batch/out/$i.txt" | od -An -c | tr -d ' ')" = '\n' ] &&
	    [ "$(jq -r '[.label, .status] | join(" ")' "$T/batch/out/$i.json" 2>/dev/null)" = "$i complete" ] ||
	    bad=$((bad + 1))
done
is "$bad" 0 "every result file came back intact (8 texts with their newline, 8 reports)"
is "$(awk 'NR > 1 { print $2 }' "$T/joblog" | sort -u | tr '\n' ' ')" "root@$A1 root@$A2 " \
    "the jobs ran on both hosts (parallel's joblog)"
grep -qE 'requests +8 · 8 completed' "$T/out"; ok $? "the summary counts 8 completed requests"
done_testing
