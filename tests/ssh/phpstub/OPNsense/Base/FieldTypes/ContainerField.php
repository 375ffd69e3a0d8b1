<?php
namespace OPNsense\Base\FieldTypes;

/* One <vip> item: its fields as strings, its uuid attribute, __reference
 * ("vip.<uuid>") as core's BaseField has it. */
class ContainerField
{
    private $fields = [];
    private $uuid;
    public $stubNew = false;

    public function __construct($uuid, $fields)
    {
        $this->uuid = $uuid;
        $this->fields = $fields;
    }

    public function __get($name)
    {
        if ($name == '__reference') {
            return 'vip.' . $this->uuid;
        }
        if (!array_key_exists($name, $this->fields)) {
            throw new \Exception("stub: vip has no field '$name'");
        }
        return $this->fields[$name];
    }

    public function setNodes($data)
    {
        foreach ($data as $k => $v) {
            if (!array_key_exists($k, $this->fields)) {
                throw new \Exception("stub: vip has no field '$k'");
            }
            $this->fields[$k] = (string)$v;
        }
    }

    public function getAttribute($key)
    {
        return $key == 'uuid' ? $this->uuid : null;
    }
}
