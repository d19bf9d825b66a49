s|^Description=.*|Description=udpchat LAN chat room server, room %i|
s|^EnvironmentFile=-/etc/default/udpchatd$|EnvironmentFile=-/etc/default/udpchatd-%i|
s|^ExecStartPre=+/bin/ln -sfn udpchatd/udpchatd.sock /run/udpchatd.sock$|ExecStartPre=+/bin/ln -sfn udpchatd-%i/udpchatd.sock /run/udpchatd-%i.sock|
s|-c /run/udpchatd/udpchatd.sock$|-c /run/udpchatd-%i/udpchatd.sock|
s|^ExecStopPost=+/bin/rm -f /run/udpchatd.sock$|ExecStopPost=+/bin/rm -f /run/udpchatd-%i.sock|
s|^RuntimeDirectory=udpchatd$|RuntimeDirectory=udpchatd-%i|
s|^DynamicUser=yes$|DynamicUser=yes\nUser=udpchatd-%i|
