## Halaman siaran langsung pembeli (crates/server/web/live/). ID pesan diawali page-.

page-title = Jualan langsung
page-brand = Silkstream Live
page-language = Bahasa
page-currency = Mata uang
page-skip = Langsung ke produk

## Bergabung sebagai tamu

page-join-heading = Ikuti siaran langsung
page-join-intro = Perkenalkan diri Anda untuk memesan selama siaran. Tidak perlu membuat akun.
page-join-name = Nama tampilan
    .placeholder = mis. Putri
page-join-country = Negara
page-join-city = Kota
    .placeholder = mis. Jakarta
page-join-submit = Gabung
page-join-working = Sedang bergabung…
page-join-expired = Akses tamu Anda sudah kedaluwarsa atau dicabut. Gabung lagi untuk melanjutkan belanja.
page-joined-as = Anda { $name } dari { $city }
page-sign-out = Bukan Anda? Gabung lagi

## Siaran

page-session-missing = Siaran ini tidak ada. Periksa tautan yang dibagikan pembawa acara.
page-session-scheduled = Siaran belum dimulai. Tetap di halaman ini: halaman akan diperbarui sendiri.
page-session-live = Live
page-session-ended = Siaran sudah selesai. Terima kasih sudah menonton!
page-viewers = { $count } menonton

## Produk yang disematkan

page-product-heading = Sedang ditampilkan
page-no-product = Pembawa acara belum menyematkan produk.
page-attributes = Detail produk
page-sale-price = Harga flash sale
page-regular-price = Harga
page-price-converted = Dikonversi dari { $price } dengan kurs hari ini
page-price-unavailable = Belum ada harga dalam mata uang ini. Pilih mata uang lain.
page-variant = Varian

## Flash sale: penghitung dan hitung mundur

page-sale-heading = Flash sale
page-sold = { $count } terjual
page-left = Sisa { $count }
page-starts-in = Mulai dalam { $time }
page-ends-in = Berakhir dalam { $time }
page-sale-paused = Pembawa acara menjeda penjualan
page-sale-sold-out = Habis terjual
page-sale-ended = Flash sale telah berakhir
page-limit = Maksimal { $count } per pembeli

## Memesan

page-quantity = Jumlah
page-quantity-less = Kurangi satu
page-quantity-more = Tambah satu
page-order = Pesan sekarang
page-ordering = Mengirim pesanan…
page-ship-heading = Alamat pengiriman
page-ship-intro = Disimpan di peramban ini untuk lain kali, dan dikirim ke penjual bersama setiap pesanan.
page-ship-name = Nama lengkap penerima
page-ship-phone = Telepon
page-ship-country = Negara tujuan
page-ship-city = Kota tujuan
page-ship-address = Alamat jalan
page-ship-postal = Kode pos
page-ship-missing = Isi alamat pengiriman terlebih dahulu.
page-id-intro = Pesanan yang dikirim ke Tiongkok dideklarasikan ke bea cukai atas nama asli dan nomor KTP pemesan: batas belanja lintas negara Tiongkok dihitung per orang. Nomor hanya disimpan dalam bentuk hash dan ditampilkan tersamar.
page-id-name = Nama asli pemesan
page-id-number = Nomor kartu identitas penduduk Tiongkok (18 karakter)
page-id-missing = Isi nama asli dan nomor identitas pemesan terlebih dahulu.

## Jawaban atas pesanan

page-answer-confirmed = Pesanan #{ $id } dikonfirmasi: { $count } barang, total { $total }.
page-answer-sold-out = Habis terjual: tidak ada stok tersisa.
page-answer-limit = Anda sudah mencapai batas per pembeli untuk flash sale ini.
page-answer-not-live = Siaran sedang tidak berlangsung, jadi pesanan ditutup.
page-answer-not-started = Flash sale belum dimulai.
page-answer-ended = Flash sale telah berakhir.
page-answer-paused = Pembawa acara menjeda penjualan. Coba lagi sebentar lagi.
page-answer-cross-border = Pesanan ini melebihi batas belanja lintas negara.
page-answer-cross-border-unknown = Batas lintas negara pesanan ini tidak dapat diperiksa dalam mata uang ini: pilih mata uang lain.
page-answer-ship-to = Negara tujuan harus salah satu pasar siaran ini.
page-answer-rate-limited = Terlalu banyak pesanan sekaligus. Tunggu sebentar lalu coba lagi.
page-answer-network = Server tidak dapat dihubungi. Periksa koneksi Anda lalu coba lagi.
page-answer-unavailable = Produk ini tidak dapat dipesan di pasar Anda.

## Pesanan terkini dan pesanan Anda

page-stream-heading = Pesanan saat ini
page-stream-empty = Belum ada pesanan. Jadilah yang pertama!
page-mine-heading = Pesanan Anda
page-mine-empty = Anda belum memesan di siaran ini.
page-mine-line = Pesanan #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = Dikonfirmasi
page-status-paid = Dibayar
page-status-shipped = Dikirim
page-status-delivered = Diterima
page-status-cancelled = Dibatalkan

## Koneksi ke siaran

page-feed-connecting = Menghubungkan…
page-feed-live = Live
page-feed-reconnecting = Koneksi terputus, menghubungkan ulang…
page-feed-closed = Terputus

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Bayar dalam { $time }, atau pesanan dibatalkan.
page-pay-over = Waktu pembayaran sudah habis.
page-duties-due = Bea masuk dan pajak belum termasuk: sekitar { $amount } lagi (perkiraan bea cukai).
page-duties-none = Bea masuk dan pajak belum termasuk; menurut perkiraan bea cukai, pesanan ini tidak dikenakan.
page-duties-on-delivery = Bea masuk dan pajak belum termasuk: dibayar saat barang diterima.
page-duties-unknown = Bea masuk dan pajak belum termasuk dan tidak dapat diperkirakan.
page-ship-postal-optional = Kode pos (jika ada)
page-check-field = Periksa kembali: { $field }
page-answer-failed = Terjadi kesalahan. Coba lagi sebentar lagi.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Video siaran langsung
page-video-sound-on = Nyalakan suara
page-video-sound-off = Matikan suara
page-video-link = Tonton siaran langsung di { $host }
page-video-waiting = Siaran belum bisa diputar. Mencoba lagi…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Obrolan
page-chat-empty = Belum ada pesan. Ayo sapa!
page-chat-label = Pesan Anda
    .placeholder = Tulis ke ruang siaran…
page-chat-send = Kirim
page-chat-new = Ada pesan baru di bawah
page-chat-host = Pembawa acara
page-chat-moderator = Moderator
page-chat-slow-mode = Mode lambat: satu pesan setiap { $seconds } detik.
page-chat-held-link = Pesan Anda menunggu moderator: isinya ada tautan.
page-chat-held-phone = Pesan Anda menunggu moderator: isinya ada nomor telepon.
page-chat-held-payment = Pesan Anda menunggu moderator: isinya meminta pembayaran.
page-chat-held-contact = Pesan Anda menunggu moderator: isinya menyebut aplikasi perpesanan.
page-chat-muted-until = Moderator membisukan Anda di obrolan ini sampai { $time }. Pesan Anda tidak ditampilkan.
page-chat-muted-session = Moderator membisukan Anda di obrolan ini sampai siaran selesai. Pesan Anda tidak ditampilkan.
page-chat-wait = Anda bisa menulis lagi dalam { $seconds } detik.
page-chat-not-live = Obrolan dibuka selama siaran berlangsung.
page-chat-invalid = Tulis satu baris, paling banyak 500 karakter.
page-chat-network = Tidak terkirim: server tidak dapat dihubungi. Tekan Kirim untuk mencoba lagi.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = Ketik { $example } di obrolan untuk memesan.
page-chat-order-ship-to = Untuk memesan lewat obrolan, isi alamat pengiriman, lalu kirim ulang pesan Anda.
page-chat-resend = Kirim ulang
page-chat-order-variant = Produk ini punya beberapa varian: pilih satu di atas, lalu pesan dengan tombol.
page-chat-order-nothing = Saat ini belum ada yang bisa dipesan lewat obrolan.
page-chat-order-identity = Pesanan ke Tiongkok memerlukan identitas pemesan: pesan dengan tombol di atas.
