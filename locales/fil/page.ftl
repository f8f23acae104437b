## Pahina ng mamimili sa live selling (crates/server/web/live/). Nagsisimula sa page- ang mga ID.

page-title = Live selling
page-brand = Silkstream Live
page-language = Wika
page-currency = Pera
page-skip = Pumunta sa produkto

## Sumali bilang bisita

page-join-heading = Sumali sa live selling
page-join-intro = Ipakilala ang sarili para makapag-order habang live. Hindi kailangan ng account.
page-join-name = Pangalang ipapakita
    .placeholder = hal. Maria
page-join-country = Bansa
page-join-city = Lungsod
    .placeholder = hal. Cebu
page-join-submit = Sumali
page-join-working = Sumasali…
page-join-expired = Nag-expire o binawi na ang iyong guest pass. Sumali ulit para makapag-order pa.
page-joined-as = Ikaw si { $name } mula sa { $city }
page-sign-out = Hindi ikaw? Sumali ulit

## Ang live

page-session-missing = Walang ganitong live. Tingnan ang link na ibinahagi ng host.
page-session-scheduled = Hindi pa nagsisimula ang live. Manatili sa pahinang ito: kusa itong mag-a-update.
page-session-live = Live
page-session-ended = Tapos na ang live. Salamat sa panonood!
page-viewers = { $count } nanonood

## Ang naka-pin na produkto

page-product-heading = Ipinapakita ngayon
page-no-product = Wala pang naka-pin na produkto ang host.
page-attributes = Mga detalye
page-sale-price = Presyo sa flash sale
page-regular-price = Presyo
page-price-converted = Kinompyut mula sa { $price } ayon sa palitan ngayong araw
page-price-unavailable = Walang presyo sa perang ito. Pumili ng ibang pera.
page-variant = Opsiyon

## Flash sale: bilang at countdown

page-sale-heading = Flash sale
page-sold = { $count } ang nabili na
page-left = { $count } na lang ang natitira
page-starts-in = Magsisimula sa loob ng { $time }
page-ends-in = Matatapos sa loob ng { $time }
page-sale-paused = Itinigil muna ng host ang bentahan
page-sale-sold-out = Ubos na
page-sale-ended = Tapos na ang flash sale
page-limit = Hanggang { $count } bawat mamimili

## Pag-order

page-quantity = Dami
page-quantity-less = Bawasan ng isa
page-quantity-more = Dagdagan ng isa
page-order = Mag-order na
page-ordering = Ipinapadala ang order mo…
page-ship-heading = Address para sa delivery
page-ship-intro = Itatago sa browser na ito para sa susunod, at ipapadala sa nagbebenta kasama ng bawat order.
page-ship-name = Buong pangalan ng tatanggap
page-ship-phone = Telepono
page-ship-country = Bansang padadalhan
page-ship-city = Lungsod na padadalhan
page-ship-address = Address (kalye, numero ng bahay)
page-ship-postal = Postal code
page-ship-missing = Punan muna ang address para sa delivery.
page-id-intro = Ang mga order na ipapadala sa China ay idinedeklara sa customs sa tunay na pangalan at numero ng resident ID ng nag-order: binibilang bawat tao ang mga limit ng cross-border na pagbili ng China. Naka-hash lang ang numerong itinatago at ipinapakitang nakatago ang bahagi.
page-id-name = Tunay na pangalan ng nag-order
page-id-number = Numero ng resident ID ng China (18 character)
page-id-missing = Punan muna ang tunay na pangalan at numero ng ID ng nag-order.

## Mga sagot sa order

page-answer-confirmed = Kumpirmado ang order #{ $id }: { $count } piraso, kabuuang { $total }.
page-answer-sold-out = Ubos na: wala nang natitira.
page-answer-limit = Naabot mo na ang limit bawat mamimili sa sale na ito.
page-answer-not-live = Hindi live ang palabas kaya sarado ang pag-order.
page-answer-not-started = Hindi pa nagsisimula ang sale.
page-answer-ended = Tapos na ang sale.
page-answer-paused = Itinigil muna ng host ang bentahan. Subukan ulit maya-maya.
page-answer-cross-border = Lampas ang order na ito sa limit ng cross-border na pagbili.
page-answer-cross-border-unknown = Hindi masuri ang cross-border na limit ng order na ito sa currency na ito: pumili ng ibang currency.
page-answer-ship-to = Dapat isa sa mga market ng live na ito ang bansang padadalhan.
page-answer-rate-limited = Masyadong maraming order nang sabay-sabay. Maghintay sandali at subukan ulit.
page-answer-network = Hindi maabot ang server. Tingnan ang koneksiyon mo at subukan ulit.
page-answer-unavailable = Hindi mao-order ang produktong ito sa market mo.

## Mga order ngayon at ang mga order mo

page-stream-heading = Mga order ngayon
page-stream-empty = Wala pang order. Ikaw na ang mauna!
page-mine-heading = Mga order mo
page-mine-empty = Wala ka pang order sa live na ito.
page-mine-line = Order #{ $id }: { $product } × { $count }, { $total }
page-status-confirmed = Kumpirmado
page-status-paid = Bayad na
page-status-shipped = Naipadala na
page-status-delivered = Naihatid na
page-status-cancelled = Kinansela

## Koneksiyon sa live

page-feed-connecting = Kumokonekta…
page-feed-live = Live
page-feed-reconnecting = Naputol ang koneksiyon, muling kumokonekta…
page-feed-closed = Hindi konektado

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = Magbayad sa loob ng { $time }, kung hindi ay makakansela ang order.
page-pay-over = Tapos na ang oras ng pagbabayad.
page-duties-due = Hindi kasama ang duties at buwis: mga { $amount } pa (tantiya ng customs).
page-duties-none = Hindi kasama ang duties at buwis; ayon sa tantiya ng customs, walang babayaran para sa order na ito.
page-duties-on-delivery = Hindi kasama ang duties at buwis: babayaran ang mga ito pagtanggap.
page-duties-unknown = Hindi kasama ang duties at buwis at hindi ito matantiya.
page-ship-postal-optional = Postal code (kung mayroon)
page-check-field = Pakisuri: { $field }
page-answer-failed = May nangyaring mali. Subukang muli mamaya.

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = Live stream
page-video-sound-on = I-on ang tunog
page-video-sound-off = I-mute
page-video-link = Panoorin ang live sa { $host }
page-video-waiting = Hindi pa nagpe-play ang live. Sinusubukan ulit…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = Chat
page-chat-empty = Wala pang mensahe. Bumati ka!
page-chat-label = Ang mensahe mo
    .placeholder = Sumulat sa live…
page-chat-send = Ipadala
page-chat-new = May mga bagong mensahe sa ibaba
page-chat-host = Host
page-chat-moderator = Moderator
page-chat-slow-mode = Slow mode: isang mensahe bawat { $seconds } segundo.
page-chat-held-link = Naghihintay sa moderator ang mensahe mo: may link ito.
page-chat-held-phone = Naghihintay sa moderator ang mensahe mo: may numero ng telepono ito.
page-chat-held-payment = Naghihintay sa moderator ang mensahe mo: humihingi ito ng bayad.
page-chat-held-contact = Naghihintay sa moderator ang mensahe mo: may binanggit itong messaging app.
page-chat-muted-until = Pinatahimik ka ng moderator sa chat na ito hanggang { $time }. Hindi na-post ang mensahe mo.
page-chat-muted-session = Pinatahimik ka ng moderator sa chat na ito hanggang matapos ang live. Hindi na-post ang mensahe mo.
page-chat-wait = Makakasulat ka ulit pagkalipas ng { $seconds } segundo.
page-chat-not-live = Bukas ang chat habang live ang palabas.
page-chat-invalid = Sumulat ng isang linya, hanggang 500 character.
page-chat-network = Hindi naipadala: hindi maabot ang server. Pindutin ang Ipadala para subukan ulit.

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = I-type ang { $example } sa chat para mag-order.
page-chat-order-ship-to = Para mag-order mula sa chat, punan ang address para sa delivery, saka ipadala ulit ang mensahe mo.
page-chat-resend = Ipadala ulit
page-chat-order-variant = May ilang opsiyon ang produktong ito: pumili ng isa sa itaas at mag-order gamit ang button.
page-chat-order-nothing = Wala pang maaaring i-order mula sa chat ngayon.
page-chat-order-identity = Kailangan ng ID ng nag-order para sa mga order papuntang China: mag-order gamit ang button sa itaas.
