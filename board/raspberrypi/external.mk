include $(sort $(wildcard $(BR2_EXTERNAL_UDPCHAT_PATH)/package/*/*.mk))
