a, b, c :: Idle;
// an anonymous group; its ports are the implicit input/output
a -> ( [0] -> p :: Paint(1) -> [0]; [1] -> q :: Paint(2) -> [1] ) => b, c;
// groups in a list connected with =>
a [1,2] => ( -> Paint(3) -> ), ( -> Paint(4) -> ) -> b;
