s|^Description=.*|Description=udpchat room udpchatd-%i in a web browser|
s|^Requires=udpchatd.service$|Requires=udpchatd@%i.service|
s|^After=udpchatd.service |After=udpchatd@%i.service |
s|^EnvironmentFile=-/etc/default/udpchatweb$|EnvironmentFile=-/etc/default/udpchatweb-%i|
s|-c /run/udpchatd/udpchatd.sock |-c /run/udpchatd-%i/udpchatd.sock |
s|^User=udpchatd$|User=udpchatd-%i|
