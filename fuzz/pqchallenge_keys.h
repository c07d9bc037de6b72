/* What fuzz_pqchallenge answers and checks with (built once with the
 * command line: coyeu id new, id request, authority init): the officer's
 * key text (with its hybrid seed), the authority's, and the officer's
 * request.  fuzz/corpus/pqchallenge holds the challenge the authority made
 * for that request and the officer's proof. */
#ifndef COYEU_FUZZ_PQCHALLENGE_KEYS_H
#define COYEU_FUZZ_PQCHALLENGE_KEYS_H

static const char officer_key[] =
    "version: coyeu.v1/idkey\n"
    "sign: a3+Bj7U4XeJ/JkPEz3GJ9yAqWZlnup6aKqiYGYsI93M\n"
    "seal: jlq+w9MC1GV2utji3d7Zc+4TKTgG1OpMy//qaz83pco\n"
    "seal-pq: wFDiDsutASMSnsoIL2YZpUBPNlY//bkkmDcFxaun598\n";

static const char authority_key[] =
    "version: coyeu.v1/idkey\n"
    "sign: Q1pnZSjxJtW58ujiWbGrFQpDVhK0WFZHxwhBZneKrPw\n"
    "seal: dRtEkLuHJK5qOTyOtJynqg07IssRjKhFAb9b/iGgmMQ\n";

static const char officer_request[] =
    "version: coyeu.v1/request\n"
    "name: L\306\260\341\273\243ng T\341\273\255\n"
    "unit: vn/a\n"
    "sign-key: FKzlkNhOAQ9z6T9WMvFJRx58uBsFatq4ktI5Ws5qZ1c\n"
    "seal-key: age16qwphec79vzzj32fx2vz4wgq65gkhr0qlwh0v9rar8qnqcdrgqvszyyr"
    "mw\n"
    "seal-pq-key: age1pq1d4gp8d0t8kdkk3lxa3ec9zya0crz4qdqjnw69jk0k2yxfd35j6"
    "3jfk0eqed0h08stsv6j7vjfwmtw5mfct0f59tk4ddasdrj7gdvypcgwtlay2n9j329lwem"
    "famj4c7ttqf3jq2366hcwqzkgnq67qgfyjfugc0eggrgy7nqn93yhmz9rm2027ng69amn2"
    "ap76nmxz2t5k5nkcp52exr6959dp2kjfmqqpqqg4cevzkl8auwuzvqedh4n8qaqw670pyy"
    "cj4tglfskz3ty80cpx43c2rj043ln06v4mxu0vjrsvznwq8spzaejg6mf5s42mu84wyy9p"
    "8255z95rdey2senwz6pj2qc40c6yghngwpn2qv9m0lcx3kxekzaap2v7qz25utg2dh2zv2"
    "crxftfj2csrzrpg2qvfnn28g7sfg073r67uk086yp09zv8mpax2nw6yx4azjntkcvvh2qa"
    "kxqswhgf9v0nt9g778ejfmhws4p3c3vdugfyu3xj6pgan65e8uc6uw02mvl7eq5l76cnue"
    "dr2774ymuz4rpz6eree29cwhwfw7tf09emrd56fxa8rnhcyekmftgynq8sj7nrg93y6pxf"
    "aw5ags32ugkfryh9mgm7qv5hxmfr7fnjwrrxe9jhjhaekvyzwcf08vu3ktk77qcespxlmh"
    "4saeyy647u72rcrmmqjkvgq9nsvv4x6fjv4jalrj2zrj0hlpcau25zy24f35g9sqte4ppk"
    "hs04e2gcaxcupfq3gmhhgs047h3nr0829j54y58a63yfystaem28kg2kfs4xhpw6qhw6dg"
    "emxgkppp2nu6k3780zsrtjpvwn0x8e76k868sq5nye35dszrysfr0nzrqvh8gacv49j38p"
    "dmvapypzse9g2wms4yzmpz6nc57zchr8s9p3jlcg64nkx20wm92mz84d3nxgwfccpwqw7x"
    "m5vfpv4zy8vs48v6t2aufd6d0mue8t4gekv5fgwl8ynnqetzgxzxhl78f6y3d89m6q687d"
    "s96ksmkdk94505fplsukpljxe4pyqaqvppjtvrzwf577fxkj4ezm9v8v655lvgcd4nx7sk"
    "ry20gh4ej42n5a44ss9lgje50tyaqsgfak3jnvz0xqqczgu9udemdr5ktg9gksuhkpmmmd"
    "w747qcat2usuu8k8ez9q2qsuykg39nu8rfzwzfcvcphqwymvkuzfp2956f8n2n2rmazds4"
    "5paxcaehwsdpn3un0x3eyf4hgl9fvwm3q333gnmfz56jwmck495z0a3vdpah004sg4fkpv"
    "vrrzg7uwa6kcrx0u0v4r7hz999rv6eak78hfykpz864n04j9fucx5wzqseafdjcz5p0pvz"
    "cnny0xnt2jn0tegzqzyc3szhksfvud7luzd5u0f2xdqpxkmsk9m4u5qckx2yg0pc8ljujx"
    "u3qsvgawp899xgl6xfd9vrdnq8sstky65jzgpplfc39jph3p35hd0t0qpluy2rr6r35rfv"
    "ysq62lfmap4ywasz8ayravhvzl4hyj6u2wv0d4y77tvzssney4c6c7qhmxw5rqaewja85w"
    "8zezzl42wxw3wh9d4tf4utzyevccmz98rxgpvw42jlkjx2j2kgr2c6s2f332yfmz496h24"
    "x4wyg49rhjx27gtre76c42e8hrwsc8ltjwcpf3whx4dns669r0hkc2v0srpjfquax4nhls"
    "ahq0jc03h9t3s5y3tvsushug7yjhlcffjr2rnwk4uecf6y7km3ralu9fnzkzpksq7wglzz"
    "8fzm3l9306q9v6xls8y0qzkg9v5ys5pf2rhjxgyaapmwqcm4nmhastgy9crzsgmh369995"
    "jarqd269tg2mcxpgkaru8unpfnau7fv8vzxmhlm3xmf2pkgs73hztagakqj9mzjw5vt9hu"
    "8q3xtsgqwecq\n"
    "time: 2026-12-08T02:21:49Z\n"
    "signature: NXKW79TVM0YuqAKrBHzjRjwmLljIS18V1IAw6NBrsD5tb8LCTuJpdMTvJLj"
    "xhyag7njhNoBXE8Y3ZLkS8J1XAg\n";

#endif
