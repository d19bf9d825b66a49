# A stand-in for OpenWrt's /lib/functions/network.sh, installed by
# tests/board/packaging.sh as $IPKG_INSTROOT/lib/functions/network.sh for the
# init script to source. An interface's addresses come from the environment:
# NET_<interface>_ipaddr, NET_<interface>_ipaddr6, and its layer-3 device
# NET_<interface>_device (unset: none, as for an interface that is down).
# Each call is recorded on stderr.
# shellcheck shell=sh

# network_get_ipaddr VAR INTERFACE: VAR = its IPv4 address; 1 if none
network_get_ipaddr() {
	echo "network_get_ipaddr $2" >&2
	eval "$1=\${NET_${2}_ipaddr:-}"
	eval "[ -n \"\${NET_${2}_ipaddr:-}\" ]"
}
# network_get_device VAR INTERFACE: VAR = its layer-3 device; 1 if none
network_get_device() {
	echo "network_get_device $2" >&2
	eval "$1=\${NET_${2}_device:-}"
	eval "[ -n \"\${NET_${2}_device:-}\" ]"
}
# network_get_ipaddr6 VAR INTERFACE: VAR = its IPv6 address; 1 if none
network_get_ipaddr6() {
	echo "network_get_ipaddr6 $2" >&2
	eval "$1=\${NET_${2}_ipaddr6:-}"
	eval "[ -n \"\${NET_${2}_ipaddr6:-}\" ]"
}
