## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Pesanan disahkan: { $count } item, jumlah { $total }
order-sold-out = Maaf, produk ini telah habis dijual.
order-limit-reached = Anda telah mencapai had pembelian { $limit } unit bagi setiap pembeli.
order-not-live = Siaran langsung tidak sedang berlangsung.
order-not-started = Jualan belum bermula.
order-sale-ended = Jualan telah tamat.
order-paused = Jualan dihentikan sementara. Sila cuba lagi sebentar lagi.
order-invalid-quantity = Sila pilih kuantiti yang sah.
