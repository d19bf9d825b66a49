s|^Description=.*|Description=udpchat room udpchatd-%i in a web browser|
s|^Wants=udpchatd.service$|Wants=udpchatd@%i.service|
s|^After=udpchatd.service |After=udpchatd@%i.service |
s|^EnvironmentFile=-/etc/default/udpchatweb$|EnvironmentFile=-/etc/default/udpchatweb-%i|
