s|^Description=.*|Description=udpchat IRC bridge of the room udpchatd-%i|
s|^Requires=udpchatd.service$|Requires=udpchatd@%i.service|
s|^After=udpchatd.service |After=udpchatd@%i.service |
s|^EnvironmentFile=-/etc/default/udpchatirc$|EnvironmentFile=-/etc/default/udpchatirc-%i|
s|-c /run/udpchatd/udpchatd.sock |-c /run/udpchatd-%i/udpchatd.sock |
s|^User=udpchatd$|User=udpchatd-%i|
