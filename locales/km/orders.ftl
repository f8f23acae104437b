## Order confirmations and refusals. $total arrives formatted; $count and $limit are numbers.

order-confirmed = ការបញ្ជាទិញត្រូវបានបញ្ជាក់៖ { $count } ដុំ សរុប { $total }
order-sold-out = សូមអភ័យទោស ទំនិញនេះលក់អស់ហើយ។
order-limit-reached = អ្នកទិញម្នាក់អាចទិញបានត្រឹមតែ { $limit } ប៉ុណ្ណោះ ហើយអ្នកបានដល់កំណត់ហើយ។
order-not-live = ឥឡូវនេះ មិនមានការផ្សាយផ្ទាល់ទេ។
order-not-started = ការលក់មិនទាន់ចាប់ផ្តើមទេ។
order-sale-ended = ការលក់បានបញ្ចប់ហើយ។
order-paused = ការលក់ត្រូវបានផ្អាកជាបណ្តោះអាសន្ន។ សូមព្យាយាមម្តងទៀតបន្តិចទៀត។
order-invalid-quantity = សូមជ្រើសរើសចំនួនដែលត្រឹមត្រូវ។
