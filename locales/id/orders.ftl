## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Pesanan dikonfirmasi: { $count } barang, total { $total }
order-sold-out = Maaf, produk ini sudah habis terjual.
order-limit-reached = Anda sudah mencapai batas pembelian { $limit } per pembeli.
order-not-live = Siaran langsung sedang tidak berlangsung.
order-not-started = Penjualan belum dimulai.
order-sale-ended = Penjualan sudah berakhir.
order-paused = Penjualan sedang dijeda. Silakan coba lagi sebentar lagi.
order-invalid-quantity = Silakan pilih jumlah yang valid.
