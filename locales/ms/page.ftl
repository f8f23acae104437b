## Halaman siaran langsung pembeli (crates/server/web/live/). ID mesej bermula dengan page-.

page-title = Jualan langsung
page-brand = Silkstream Live
page-language = Bahasa
page-currency = Mata wang
page-skip = Terus ke produk

## Sertai sebagai tetamu

page-join-heading = Sertai siaran langsung
page-join-intro = Perkenalkan diri anda untuk membuat pesanan semasa siaran. Tiada akaun diperlukan.
page-join-name = Nama paparan
    .placeholder = cth. Nurul
page-join-country = Negara
page-join-city = Bandar
    .placeholder = cth. Kuala Lumpur
page-join-submit = Sertai
page-join-working = Sedang menyertai…
page-join-expired = Akses tetamu anda telah tamat tempoh atau ditarik balik. Sertai semula untuk terus membeli.
page-joined-as = Anda { $name } dari { $city }
page-sign-out = Bukan anda? Sertai semula

## Siaran

page-session-missing = Siaran ini tidak wujud. Semak pautan yang dikongsi oleh hos.
page-session-scheduled = Siaran belum bermula. Kekal di halaman ini: ia akan dikemas kini sendiri.
page-session-live = Langsung
page-session-ended = Siaran telah tamat. Terima kasih kerana menonton!
page-viewers = { $count } sedang menonton

## Produk yang disemat

page-product-heading = Sedang ditunjukkan
page-no-product = Hos belum menyemat sebarang produk.
page-attributes = Butiran
page-sale-price = Harga jualan kilat
page-regular-price = Harga
page-price-converted = Ditukar daripada { $price } pada kadar hari ini
page-price-unavailable = Tiada harga dalam mata wang ini. Pilih mata wang lain.
page-variant = Pilihan

## Jualan kilat: pembilang dan kiraan detik

page-sale-heading = Jualan kilat
page-sold = { $count } terjual
page-left = Tinggal { $count }
page-starts-in = Bermula dalam { $time }
page-ends-in = Tamat dalam { $time }
page-sale-paused = Hos menjeda jualan
page-sale-sold-out = Habis dijual
page-sale-ended = Jualan telah tamat
page-limit = Had { $count } unit bagi setiap pembeli

## Membuat pesanan

page-quantity = Kuantiti
page-quantity-less = Kurangkan satu
page-quantity-more = Tambah satu
page-order = Buat pesanan sekarang
page-ordering = Menghantar pesanan anda…
page-ship-heading = Alamat penghantaran
page-ship-intro = Disimpan dalam pelayar ini untuk kali seterusnya, dan dihantar kepada penjual bersama setiap pesanan.
page-ship-name = Nama penuh penerima
page-ship-phone = Telefon
page-ship-country = Negara penghantaran
page-ship-city = Bandar penghantaran
page-ship-address = Alamat jalan
page-ship-postal = Poskod
page-ship-missing = Isi alamat penghantaran dahulu.
page-id-intro = Pesanan yang dihantar ke China diisytiharkan kepada kastam atas nama sebenar dan nombor kad pengenalan pemesan: had pembelian rentas sempadan China dikira bagi setiap orang. Nombor hanya disimpan dalam bentuk cincangan dan dipaparkan bertopeng.
page-id-name = Nama sebenar pemesan
page-id-number = Nombor kad pengenalan penduduk China (18 aksara)
page-id-missing = Isi nama sebenar dan nombor kad pengenalan pemesan dahulu.

## Jawapan kepada pesanan

page-answer-confirmed = Pesanan #{ $id } disahkan: { $count } unit, jumlah { $total }.
page-answer-sold-out = Habis dijual: tiada unit lagi.
page-answer-limit = Anda telah mencapai had setiap pembeli bagi jualan ini.
page-answer-not-live = Siaran tidak berlangsung, jadi pesanan ditutup.
page-answer-not-started = Jualan belum bermula.
page-answer-ended = Jualan telah tamat.
page-answer-paused = Hos menjeda jualan. Cuba lagi sebentar lagi.
page-answer-cross-border = Pesanan ini melebihi had pembelian rentas sempadan.
page-answer-cross-border-unknown = Had rentas sempadan pesanan ini tidak dapat disemak dalam mata wang ini: pilih mata wang lain.
page-answer-ship-to = Negara penghantaran mesti salah satu pasaran siaran ini.
page-answer-rate-limited = Terlalu banyak pesanan serentak. Tunggu sebentar dan cuba lagi.
page-answer-network = Pelayan tidak dapat dihubungi. Semak sambungan anda dan cuba lagi.
page-answer-unavailable = Produk ini tidak boleh dipesan di pasaran anda.

## Pesanan semasa dan pesanan anda

page-stream-heading = Pesanan sekarang
page-stream-empty = Belum ada pesanan. Jadilah yang pertama!
page-mine-heading = Pesanan anda
page-mine-empty = Anda belum membuat pesanan dalam siaran ini.
page-mine-line = Pesanan #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = Disahkan
page-status-paid = Dibayar
page-status-shipped = Dihantar
page-status-delivered = Diterima
page-status-cancelled = Dibatalkan

## Sambungan ke siaran

page-feed-connecting = Menyambung…
page-feed-live = Langsung
page-feed-reconnecting = Sambungan terputus, menyambung semula…
page-feed-closed = Terputus

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Bayar dalam masa { $time }, jika tidak pesanan akan dibatalkan.
page-pay-over = Masa untuk membayar telah tamat.
page-duties-due = Duti dan cukai tidak termasuk: kira-kira { $amount } lagi (anggaran kastam).
page-duties-none = Duti dan cukai tidak termasuk; menurut anggaran kastam, tiada yang perlu dibayar untuk pesanan ini.
page-duties-on-delivery = Duti dan cukai tidak termasuk: dibayar semasa penerimaan.
page-duties-unknown = Duti dan cukai tidak termasuk dan tidak dapat dianggarkan.
page-ship-postal-optional = Poskod (jika ada)
page-check-field = Sila semak: { $field }
page-answer-failed = Berlaku masalah. Sila cuba lagi sebentar lagi.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Video siaran langsung
page-video-sound-on = Hidupkan bunyi
page-video-sound-off = Senyapkan
page-video-link = Tonton siaran langsung di { $host }
page-video-waiting = Siaran belum dapat dimainkan. Mencuba semula…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Sembang
page-chat-empty = Belum ada mesej. Jom bertegur sapa!
page-chat-label = Mesej anda
    .placeholder = Tulis kepada bilik siaran…
page-chat-send = Hantar
page-chat-new = Ada mesej baharu di bawah
page-chat-host = Hos
page-chat-moderator = Moderator
page-chat-slow-mode = Mod perlahan: satu mesej setiap { $seconds } saat.
page-chat-held-link = Mesej anda menunggu moderator: ia mengandungi pautan.
page-chat-held-phone = Mesej anda menunggu moderator: ia mengandungi nombor telefon.
page-chat-held-payment = Mesej anda menunggu moderator: ia meminta bayaran.
page-chat-held-contact = Mesej anda menunggu moderator: ia menyebut aplikasi pemesejan.
page-chat-muted-until = Moderator telah menyenyapkan anda dalam sembang ini sehingga { $time }. Mesej anda tidak disiarkan.
page-chat-muted-session = Moderator telah menyenyapkan anda dalam sembang ini sehingga siaran tamat. Mesej anda tidak disiarkan.
page-chat-wait = Anda boleh menulis lagi dalam { $seconds } saat.
page-chat-not-live = Sembang dibuka semasa siaran berlangsung.
page-chat-invalid = Tulis satu baris, tidak lebih daripada 500 aksara.
page-chat-network = Tidak dihantar: pelayan tidak dapat dihubungi. Tekan Hantar untuk cuba lagi.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Taip { $example } dalam sembang untuk membuat pesanan.
page-chat-order-ship-to = Untuk membuat pesanan melalui sembang, isi alamat penghantaran, kemudian hantar mesej anda sekali lagi.
page-chat-resend = Hantar semula
page-chat-order-variant = Produk ini ada beberapa pilihan: pilih satu di atas, kemudian buat pesanan dengan butang.
page-chat-order-nothing = Tiada apa-apa untuk dipesan melalui sembang sekarang.
page-chat-order-identity = Pesanan ke China memerlukan maklumat pengenalan pemesan: buat pesanan dengan butang di atas.
