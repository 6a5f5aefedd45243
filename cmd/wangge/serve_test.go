package main

import (
	"net/netip"
	"slices"
	"testing"
)

func TestTrustedProxiesTakeCIDRsAndAddressesCommaSeparated(t *testing.T) {
	got, err := parseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,,::ffff:198.51.100.1,10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("198.51.100.1/32"), netip.MustParsePrefix("10.1.0.0/16"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseTrustedProxies = %v, want %v", got, want)
	}
	for _, bad := range []string{"proxy.example", "10.0.0.0/33", "10.0.0.1:80"} {
		if _, err := parseTrustedProxies(bad); err == nil {
			t.Errorf("parseTrustedProxies(%q) took it", bad)
		}
	}
}
