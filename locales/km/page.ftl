## ទំព័រផ្សាយផ្ទាល់របស់អ្នកទិញ (crates/server/web/live/)។ លេខសម្គាល់សារចាប់ផ្តើមដោយ page-។

page-title = លក់ផ្ទាល់
page-brand = Silkstream Live
page-language = ភាសា
page-currency = រូបិយប័ណ្ណ
page-skip = ទៅកាន់ផលិតផល

## ចូលរួមជាភ្ញៀវ

page-join-heading = ចូលរួមការផ្សាយផ្ទាល់
page-join-intro = សូមប្រាប់ឈ្មោះរបស់អ្នក ដើម្បីកុម្ម៉ង់ក្នុងពេលផ្សាយ។ មិនចាំបាច់បង្កើតគណនីទេ។
page-join-name = ឈ្មោះបង្ហាញ
    .placeholder = ឧ. សុភា
page-join-country = ប្រទេស
page-join-city = ទីក្រុង
    .placeholder = ឧ. ភ្នំពេញ
page-join-submit = ចូលរួម
page-join-working = កំពុងចូលរួម…
page-join-expired = សិទ្ធិភ្ញៀវរបស់អ្នកបានផុតកំណត់ ឬត្រូវបានដកហូត។ សូមចូលរួមម្តងទៀតដើម្បីបន្តទិញ។
page-joined-as = អ្នកគឺ { $name } មកពី{ $city }
page-sign-out = មិនមែនអ្នក? ចូលរួមម្តងទៀត

## ការផ្សាយ

page-session-missing = មិនមានការផ្សាយនេះទេ។ សូមពិនិត្យតំណដែលអ្នកផ្សាយផ្ទាល់បានចែករំលែក។
page-session-scheduled = ការផ្សាយមិនទាន់ចាប់ផ្តើមទេ។ សូមនៅលើទំព័រនេះ វានឹងធ្វើបច្ចុប្បន្នភាពដោយខ្លួនឯង។
page-session-live = កំពុងផ្សាយ
page-session-ended = ការផ្សាយបានបញ្ចប់ហើយ។ សូមអរគុណដែលបានទស្សនា!
page-viewers = { $count } នាក់កំពុងមើល

## ផលិតផលដែលបានខ្ទាស់

page-product-heading = កំពុងបង្ហាញឥឡូវនេះ
page-no-product = អ្នកផ្សាយផ្ទាល់មិនទាន់ខ្ទាស់ផលិតផលទេ។
page-attributes = ព័ត៌មានលម្អិត
page-sale-price = តម្លៃក្នុងការផ្សាយផ្ទាល់
page-regular-price = តម្លៃ
page-price-converted = បានប្តូរពី { $price } តាមអត្រាប្តូរប្រាក់ថ្ងៃនេះ
page-price-unavailable = គ្មានតម្លៃជារូបិយប័ណ្ណនេះទេ។ សូមជ្រើសរើសរូបិយប័ណ្ណផ្សេង។
page-variant = ជម្រើស

## ការលក់រហ័ស៖ ចំនួន និងការរាប់ថយក្រោយ

page-sale-heading = ការលក់រហ័ស
page-sold = លក់បាន { $count }
page-left = នៅសល់ { $count }
page-starts-in = ចាប់ផ្តើមក្នុងរយៈពេល { $time } ទៀត
page-ends-in = បញ្ចប់ក្នុងរយៈពេល { $time } ទៀត
page-sale-paused = អ្នកផ្សាយផ្ទាល់បានផ្អាកការលក់
page-sale-sold-out = លក់អស់ហើយ
page-sale-ended = ការលក់បានបញ្ចប់ហើយ
page-limit = កំណត់ { $count } ក្នុងម្នាក់

## ការកុម្ម៉ង់

page-quantity = ចំនួន
page-quantity-less = បន្ថយមួយ
page-quantity-more = បន្ថែមមួយ
page-order = កុម្ម៉ង់ឥឡូវនេះ
page-ordering = កំពុងផ្ញើការកុម្ម៉ង់…
page-ship-heading = អាសយដ្ឋានដឹកជញ្ជូន
page-ship-intro = រក្សាទុកក្នុងកម្មវិធីរុករកនេះសម្រាប់ពេលក្រោយ ហើយផ្ញើទៅអ្នកលក់ជាមួយការកុម្ម៉ង់នីមួយៗ។
page-ship-name = ឈ្មោះពេញរបស់អ្នកទទួល
page-ship-phone = លេខទូរស័ព្ទ
page-ship-country = ប្រទេសដឹកជញ្ជូន
page-ship-city = ទីក្រុងដឹកជញ្ជូន
page-ship-address = អាសយដ្ឋាន (ផ្ទះ ផ្លូវ)
page-ship-postal = លេខកូដប្រៃសណីយ៍
page-ship-missing = សូមបំពេញអាសយដ្ឋានដឹកជញ្ជូនជាមុនសិន។
page-id-intro = ការកុម្ម៉ង់ដែលដឹកទៅប្រទេសចិនត្រូវប្រកាសទៅគយតាមឈ្មោះពិត និងលេខអត្តសញ្ញាណប័ណ្ណរបស់អ្នកកុម្ម៉ង់៖ ដែនកំណត់នៃការទិញឆ្លងព្រំដែនរបស់ចិនត្រូវរាប់តាមមនុស្សម្នាក់ៗ។ លេខនេះត្រូវរក្សាទុកតែជាទម្រង់ hash ហើយបង្ហាញដោយលាក់មួយផ្នែក។
page-id-name = ឈ្មោះពិតរបស់អ្នកកុម្ម៉ង់
page-id-number = លេខអត្តសញ្ញាណប័ណ្ណចិន (១៨ តួ)
page-id-missing = សូមបំពេញឈ្មោះពិត និងលេខអត្តសញ្ញាណប័ណ្ណរបស់អ្នកកុម្ម៉ង់ជាមុនសិន។

## ចម្លើយចំពោះការកុម្ម៉ង់

page-answer-confirmed = បានបញ្ជាក់ការកុម្ម៉ង់ #{ $id }៖ { $count } ដុំ សរុប { $total }។
page-answer-sold-out = លក់អស់ហើយ៖ គ្មានទំនិញនៅសល់ទេ។
page-answer-limit = អ្នកបានទិញដល់ចំនួនកំណត់ក្នុងម្នាក់នៃការលក់នេះហើយ។
page-answer-not-live = ឥឡូវនេះ មិនមានការផ្សាយផ្ទាល់ទេ ដូច្នេះមិនទទួលការកុម្ម៉ង់ទេ។
page-answer-not-started = ការលក់មិនទាន់ចាប់ផ្តើមទេ។
page-answer-ended = ការលក់បានបញ្ចប់ហើយ។
page-answer-paused = អ្នកផ្សាយផ្ទាល់បានផ្អាកការលក់។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។
page-answer-cross-border = ការកុម្ម៉ង់នេះលើសដែនកំណត់នៃការទិញឆ្លងព្រំដែន។
page-answer-cross-border-unknown = មិនអាចពិនិត្យដែនកំណត់ឆ្លងព្រំដែននៃការកុម្ម៉ង់នេះជារូបិយប័ណ្ណនេះបានទេ៖ សូមជ្រើសរើសរូបិយប័ណ្ណផ្សេង។
page-answer-ship-to = ប្រទេសដឹកជញ្ជូនត្រូវតែជាទីផ្សារមួយនៃការផ្សាយនេះ។
page-answer-rate-limited = កុម្ម៉ង់ញឹកញាប់ពេក។ សូមរង់ចាំបន្តិច ហើយព្យាយាមម្តងទៀត។
page-answer-network = មិនអាចភ្ជាប់ទៅម៉ាស៊ីនមេបានទេ។ សូមពិនិត្យការតភ្ជាប់ ហើយព្យាយាមម្តងទៀត។
page-answer-unavailable = ផលិតផលនេះមិនអាចកុម្ម៉ង់នៅក្នុងទីផ្សាររបស់អ្នកបានទេ។

## ការកុម្ម៉ង់ថ្មីៗ និងការកុម្ម៉ង់របស់អ្នក

page-stream-heading = ការកុម្ម៉ង់ឥឡូវនេះ
page-stream-empty = មិនទាន់មានការកុម្ម៉ង់ទេ។ ក្លាយជាអ្នកដំបូង!
page-mine-heading = ការកុម្ម៉ង់របស់អ្នក
page-mine-empty = អ្នកមិនទាន់បានកុម្ម៉ង់ក្នុងការផ្សាយនេះទេ។
page-mine-line = ការកុម្ម៉ង់ #{ $id }៖ { $product } × { $count }, { $total }
page-status-confirmed = បានបញ្ជាក់
page-status-paid = បានបង់ប្រាក់
page-status-shipped = បានផ្ញើចេញ
page-status-delivered = បានដឹកដល់
page-status-cancelled = បានលុបចោល

## ការតភ្ជាប់ទៅការផ្សាយ

page-feed-connecting = កំពុងតភ្ជាប់…
page-feed-live = កំពុងផ្សាយ
page-feed-reconnecting = ការតភ្ជាប់បានដាច់ កំពុងតភ្ជាប់ឡើងវិញ…
page-feed-closed = បានផ្តាច់

## The payment deadline, the duties note, the optional postal code, the page's own error
## sentences (added by the buyer page's l10n work; reviewed with the rest).
page-pay-within = សូមបង់ប្រាក់ក្នុងរយៈពេល { $time } បើមិនដូច្នោះទេ ការបញ្ជាទិញនឹងត្រូវលុបចោល។
page-pay-over = ពេលវេលាបង់ប្រាក់បានផុតហើយ។
page-duties-due = មិនរួមបញ្ចូលពន្ធគយ និងពន្ធផ្សេងៗ៖ ប្រហែល { $amount } បន្ថែម (ការប៉ាន់ស្មានរបស់គយ)។
page-duties-none = មិនរួមបញ្ចូលពន្ធគយ និងពន្ធផ្សេងៗ តាមការប៉ាន់ស្មានរបស់គយ ការបញ្ជាទិញនេះមិនត្រូវបង់ទេ។
page-duties-on-delivery = មិនរួមបញ្ចូលពន្ធគយ និងពន្ធផ្សេងៗ៖ ត្រូវបង់ពេលទទួលទំនិញ។
page-duties-unknown = មិនរួមបញ្ចូលពន្ធគយ និងពន្ធផ្សេងៗ ហើយមិនអាចប៉ាន់ស្មានបានទេ។
page-ship-postal-optional = លេខកូដប្រៃសណីយ៍ (បើមាន)
page-check-field = សូមពិនិត្យ៖ { $field }
page-answer-failed = មានបញ្ហាកើតឡើង។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។

## The session's stream at the top of the page: played muted (the buyer turns the sound on), or
## a link to the platform the show streams on ($host: that site's name, e.g. live.douyin.com).
page-video-label = វីដេអូផ្សាយផ្ទាល់
page-video-sound-on = បើកសំឡេង
page-video-sound-off = បិទសំឡេង
page-video-link = ទស្សនាការផ្សាយផ្ទាល់នៅលើ { $host }
page-video-waiting = វីដេអូមិនទាន់ចាក់នៅឡើយទេ។ កំពុងព្យាយាមម្តងទៀត…

## The room's chat, under the product once the buyer has joined ($seconds is a number of
## seconds; $time a time of day, like 14:05).
page-chat-heading = ជជែក
page-chat-empty = មិនទាន់មានសារទេ។ សួរសុខទុក្ខមកបាន!
page-chat-label = សាររបស់អ្នក
    .placeholder = សរសេរទៅកាន់បន្ទប់ផ្សាយផ្ទាល់…
page-chat-send = ផ្ញើ
page-chat-new = មានសារថ្មីនៅខាងក្រោម
page-chat-host = អ្នកផ្សាយផ្ទាល់
page-chat-moderator = អ្នកសម្របសម្រួល
page-chat-slow-mode = របៀបយឺត៖ មួយសាររៀងរាល់ { $seconds } វិនាទី។
page-chat-held-link = សាររបស់អ្នកកំពុងរង់ចាំអ្នកសម្របសម្រួលពិនិត្យ៖ វាមានតំណ។
page-chat-held-phone = សាររបស់អ្នកកំពុងរង់ចាំអ្នកសម្របសម្រួលពិនិត្យ៖ វាមានលេខទូរស័ព្ទ។
page-chat-held-payment = សាររបស់អ្នកកំពុងរង់ចាំអ្នកសម្របសម្រួលពិនិត្យ៖ វាស្នើសុំឱ្យផ្ទេរប្រាក់។
page-chat-held-contact = សាររបស់អ្នកកំពុងរង់ចាំអ្នកសម្របសម្រួលពិនិត្យ៖ វានិយាយពីកម្មវិធីផ្ញើសារ។
page-chat-muted-until = អ្នកសម្របសម្រួលបានហាមអ្នកមិនឱ្យសរសេរក្នុងការជជែកនេះរហូតដល់ { $time }។ សាររបស់អ្នកមិនត្រូវបានបង្ហោះទេ។
page-chat-muted-session = អ្នកសម្របសម្រួលបានហាមអ្នកមិនឱ្យសរសេរក្នុងការជជែកនេះរហូតដល់ចប់ការផ្សាយ។ សាររបស់អ្នកមិនត្រូវបានបង្ហោះទេ។
page-chat-wait = អ្នកអាចសរសេរម្តងទៀតក្នុងរយៈពេល { $seconds } វិនាទីទៀត។
page-chat-not-live = ការជជែកបើកតែពេលកំពុងផ្សាយផ្ទាល់ប៉ុណ្ណោះ។
page-chat-invalid = សូមសរសេរមួយបន្ទាត់ មិនលើស 500 តួអក្សរ។
page-chat-network = មិនបានផ្ញើទេ៖ មិនអាចភ្ជាប់ទៅម៉ាស៊ីនមេបានទេ។ ចុច ផ្ញើ ដើម្បីព្យាយាមម្តងទៀត។

## Ordering by comment: a message that is an order keyword with a quantity ($example, like +1)
## is an order; the page asks for what it needs.
page-chat-keyword-hint = វាយ { $example } ក្នុងការជជែក ដើម្បីកុម្ម៉ង់។
page-chat-order-ship-to = ដើម្បីកុម្ម៉ង់ពីការជជែក សូមបំពេញអាសយដ្ឋានដឹកជញ្ជូន រួចផ្ញើសាររបស់អ្នកម្តងទៀត។
page-chat-resend = ផ្ញើម្តងទៀត
page-chat-order-variant = ផលិតផលនេះមានជម្រើសច្រើន៖ សូមជ្រើសរើសមួយខាងលើ ហើយកុម្ម៉ង់ដោយប្រើប៊ូតុង។
page-chat-order-nothing = ឥឡូវនេះ មិនមានអ្វីសម្រាប់កុម្ម៉ង់ពីការជជែកទេ។
page-chat-order-identity = ការកុម្ម៉ង់ទៅប្រទេសចិន ត្រូវការព័ត៌មានអត្តសញ្ញាណប័ណ្ណរបស់អ្នកកុម្ម៉ង់៖ សូមកុម្ម៉ង់ដោយប្រើប៊ូតុងខាងលើ។
