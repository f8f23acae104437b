## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = Kumpirmado ang order: { $count } piraso, kabuuang { $total }
order-sold-out = Paumanhin, ubos na ang produktong ito.
order-limit-reached = Naabot mo na ang limitang { $limit } bawat mamimili.
order-not-live = Hindi naka-live ngayon ang session na ito.
order-not-started = Hindi pa nagsisimula ang sale.
order-sale-ended = Tapos na ang sale.
order-paused = Naka-pause ang sale. Pakisubukang muli mamaya.
order-invalid-quantity = Pumili ng wastong dami.
