## Product attribute lines and the price line. Money arrives formatted ($price);
## counts ($days, $months, $grams, $ml) are numbers used for plural selection.

attr-material = សម្ភារៈ៖ { $value }
attr-flavour = រសជាតិ៖ { $value }
attr-size = ទំហំ៖ { $value }
attr-net-weight-g = ទម្ងន់សុទ្ធ៖ { $grams } ក្រាម
attr-net-weight-kg = ទម្ងន់សុទ្ធ៖ { $kg } គីឡូក្រាម
attr-volume-ml = ចំណុះ៖ { $ml } មីលីលីត្រ
attr-volume-l = ចំណុះ៖ { $litres } លីត្រ
attr-shelf-life-days = រយៈពេលប្រើប្រាស់៖ { $days } ថ្ងៃ
attr-shelf-life-months = រយៈពេលប្រើប្រាស់៖ { $months } ខែ
attr-storage = ការរក្សាទុក៖ { $value }
attr-origin = ប្រទេសផលិត៖ { $country }
price-line = តម្លៃ៖ { $price }
