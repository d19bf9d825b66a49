# A stand-in for the procd and UCI shell functions an OpenWrt init script
# calls (from /lib/functions.sh and /lib/functions/procd.sh), sourced before
# the script by tests/board/packaging.sh. UCI options are read from
# $UCI_DIR/NAME; every procd_* call is recorded, one line each, on stdout,
# arguments in brackets so that word splitting shows.
# shellcheck shell=sh

# config_load NAME: sets CONFIG_<section>_<option> from $UCI_DIR/NAME, and
# CONFIG_<section>_TYPE (as OpenWrt's), and CONFIG_SECTIONS (the sections
# in order, each as TYPE:NAME); an unnamed
# section is named cfgN as UCI names it (N its index, from 1)
config_load() {
	cl_sec='' cl_n=0 CONFIG_SECTIONS=''
	while read -r cl_kw cl_a cl_b; do
		cl_a=$(uci_unquote "$cl_a")
		cl_b=$(uci_unquote "$cl_b")
		case $cl_kw in
		config)
			cl_n=$((cl_n + 1))
			cl_sec=${cl_b:-cfg$cl_n}
			CONFIG_SECTIONS="$CONFIG_SECTIONS $cl_a:$cl_sec"
			eval "CONFIG_${cl_sec}_TYPE=\$cl_a"
			;;
		option) [ -n "$cl_sec" ] && eval "CONFIG_${cl_sec}_${cl_a}=\$cl_b" ;;
		list) [ -n "$cl_sec" ] && config_list_add "$cl_sec" "$cl_a" "$cl_b" ;;
		esac
	done <"$UCI_DIR/$1"
}
# config_list_add SECTION OPTION VALUE: one `list OPTION VALUE`, as
# OpenWrt's config_load keeps it: CONFIG_<section>_<option>_ITEM<N> (N from
# 1), CONFIG_<section>_<option>_LENGTH, and CONFIG_<section>_<option> (the
# items joined by spaces)
config_list_add() {
	cla_n=0
	eval "cla_n=\${CONFIG_${1}_${2}_LENGTH:-0}"
	cla_n=$((cla_n + 1))
	eval "CONFIG_${1}_${2}_ITEM$cla_n=\$3"
	eval "CONFIG_${1}_${2}_LENGTH=\$cla_n"
	eval "CONFIG_${1}_${2}=\${CONFIG_${1}_${2}:+\$CONFIG_${1}_${2} }\$3"
}
# config_list_foreach SECTION OPTION FUNCTION [ARGS]: FUNCTION ITEM [ARGS]
# for each item of the list OPTION of SECTION, in order
config_list_foreach() {
	clf_s=$1 clf_o=$2 clf_f=$3 clf_i=1 clf_n=0 clf_v=''
	shift 3
	eval "clf_n=\${CONFIG_${clf_s}_${clf_o}_LENGTH:-0}"
	while [ "$clf_i" -le "$clf_n" ]; do
		eval "clf_v=\$CONFIG_${clf_s}_${clf_o}_ITEM$clf_i"
		"$clf_f" "$clf_v" "$@"
		clf_i=$((clf_i + 1))
	done
	return 0
}
# config_foreach FUNCTION TYPE: FUNCTION SECTION for each section of TYPE
config_foreach() {
	for cf_s in $CONFIG_SECTIONS; do
		[ "${cf_s%%:*}" = "$2" ] && "$1" "${cf_s#*:}"
	done
	return 0
}
uci_unquote() {
	v=${1#\'}
	v=${v%\'}
	v=${v#\"}
	echo "${v%\"}"
}
# config_get VAR SECTION OPTION [DEFAULT]
config_get() {
	cg_set=""
	eval "cg_set=\${CONFIG_${2}_${3}+set}"
	if [ "$cg_set" = set ]; then
		eval "$1=\$CONFIG_${2}_${3}"
	else
		eval "$1=\${4:-}"
	fi
}
# config_get_bool VAR SECTION OPTION [DEFAULT]: 1 or 0
config_get_bool() {
	cgb_v=""
	config_get cgb_v "$2" "$3" "${4:-}"
	case $cgb_v in
	1 | on | true | yes | enabled) eval "$1=1" ;;
	0 | off | false | no | disabled) eval "$1=0" ;;
	*) eval "$1=\${4:-0}" ;;
	esac
}
procd_open_instance() { echo "open_instance $*"; }
procd_close_instance() { echo "close_instance"; }
procd_set_param() {
	ps_name=$1
	shift
	printf 'set_param %s' "$ps_name"
	[ $# -gt 0 ] && printf ' [%s]' "$@"
	echo
}
procd_add_reload_trigger() { echo "reload_trigger $*"; }
procd_add_reload_interface_trigger() { echo "reload_interface_trigger $*"; }
procd_add_mdns() { echo "add_mdns $*"; }
procd_add_jail() { echo "add_jail $*"; }
procd_add_jail_mount_rw() { echo "add_jail_mount_rw $*"; }
# what start_service does to the board's files is recorded, not done
mkdir() { echo "mkdir $*"; }
chown() { echo "chown $*"; }
chmod() { echo "chmod $*"; }
ln() { echo "ln $*"; }
